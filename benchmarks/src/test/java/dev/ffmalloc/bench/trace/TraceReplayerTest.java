package dev.ffmalloc.bench.trace;

import dev.ffmalloc.bench.heap.FootprintRule;
import dev.ffmalloc.bench.heap.MallocSlots;
import dev.ffmalloc.bench.heap.SlotHeap;
import dev.ffmalloc.buddy.BuddyAllocator;
import dev.ffmalloc.buddy.BuddyConfig;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class TraceReplayerTest {

    private static final String TINY = """
        # tiny
        a 0 100 16
        a 1 0 64
        r 0 300
        f 1
        a 2 50 16
        f 0
        """;

    private Arena arena;
    private NativeMemory memory;

    @BeforeEach
    void openMemory() {
        arena = Arena.ofConfined();
        memory = NativeMemory.allocate(arena, 1 << 16);
    }

    @AfterEach
    void closeMemory() {
        arena.close();
    }

    private static Trace parse(final String text) throws IOException {
        return TraceParser.parse("tiny", new StringReader(text));
    }

    @Test
    void replayThroughAnAllocatorReportsOperationsLiveBytesAndHighestBlockEnd() throws IOException {
        final TestBumpAllocator allocator = new TestBumpAllocator(memory, true);
        final ReplayReport report = TraceReplayer.replay(parse(TINY), allocator, memory.baseAddress(),
            FootprintRule.HIGHEST_BLOCK_END);
        // Bump placement from offset 0: block 0 [0, 100); block 1 (0 bytes served as 1, align 64) [128, 129);
        // block 0 moved by r to [144, 444); block 2 [448, 498). Highest end 498; peak live 350 (100 + 0 -> 300 + 50).
        assertEquals("tiny", report.trace());
        assertEquals(6, report.operations());
        assertEquals(350, report.peakLiveBytes());
        assertEquals(498, report.peakFootprintBytes());
        assertEquals(498.0 / 350.0, report.footprintRatio(), 1e-12);
        assertEquals(0, report.failures());
        assertTrue(report.nanosPerOperation() > 0, "timed pass reports ns/op: " + report.nanosPerOperation());
        assertEquals(0, allocator.stats().liveBlocks(), "both passes' leftovers are freed");
        allocator.checkIntegrity();
    }

    @Test
    void growableRuleReportsTheHeapBytesOfTheAllocator() throws IOException {
        final TestBumpAllocator allocator = new TestBumpAllocator(memory, true);
        final ReplayReport report = TraceReplayer.replay(parse(TINY), allocator, memory.baseAddress(),
            FootprintRule.HEAP_BYTES_OBTAINED);
        assertEquals(1 << 16, report.peakFootprintBytes());
        allocator.checkIntegrity();
    }

    @Test
    void allocationsThatDoNotFitAreCountedAsFailuresAndTheirBlocksSkipped() throws IOException {
        final TestBumpAllocator allocator = new TestBumpAllocator(memory, true);
        final Trace trace = parse("a 0 40000 16\na 1 40000 16\nr 1 10\nf 1\na 2 8 16\nf 0\n");
        final SlotHeap heap = new dev.ffmalloc.bench.heap.AllocatorSlots(allocator, trace.blockCount(),
            memory.baseAddress(), FootprintRule.HIGHEST_BLOCK_END);
        final ReplayReport report = TraceReplayer.measure(trace, heap);
        assertEquals(1, report.failures());
        assertFalse(heap.holds(1));
        assertTrue(heap.holds(2));
        // Block 0 [0, 40000), block 1 fails (40000 + 40000 > 65536), block 2 [40000, 40008).
        assertEquals(40_008, report.peakFootprintBytes());
        // The peak live bytes count block 1, which the heap never held: no footprint ratio for such a replay.
        assertEquals(80_000, report.peakLiveBytes());
        assertTrue(Double.isNaN(report.footprintRatio()), "ratio " + report.footprintRatio());
        allocator.checkIntegrity();
    }

    /** A request above what the heap could ever hold is a failure of the replay, not bad input that ends it. */
    @Test
    void requestsLargerThanTheHeapCouldEverHoldAreCountedAsFailures() throws IOException {
        final TestBumpAllocator allocator = new TestBumpAllocator(memory, true);
        final Trace trace = parse("a 0 100 16\na 1 1099511627776 16\nr 0 2097152\nf 0\n");
        final SlotHeap heap = new dev.ffmalloc.bench.heap.AllocatorSlots(allocator, trace.blockCount(),
            memory.baseAddress(), FootprintRule.HIGHEST_BLOCK_END);
        final ReplayReport report = TraceReplayer.measure(trace, heap);
        assertEquals(2, report.failures());
        assertFalse(heap.holds(1));
        assertFalse(heap.holds(0), "block 0 was kept by its failed reallocation, then freed");
        allocator.checkIntegrity();
    }

    /** The buddy rejects an alignment above its largest block as bad input: the replay counts it as a failure. */
    @Test
    void alignmentsNoBlockCouldEverHaveAreCountedAsFailures() throws IOException {
        final BuddyAllocator buddy = BuddyAllocator.inBand(memory, memory.baseAddress(), memory.byteSize(),
            BuddyConfig.BYTE_HEAP);
        final Trace trace = parse("a 0 64 16\na 1 64 1048576\nf 0\n");
        final SlotHeap heap = new dev.ffmalloc.bench.heap.AllocatorSlots(buddy, trace.blockCount(),
            memory.baseAddress(), FootprintRule.HIGHEST_BLOCK_END);
        final ReplayReport report = TraceReplayer.measure(trace, heap);
        assertEquals(1, report.failures());
        assertFalse(heap.holds(1));
        buddy.checkIntegrity();
    }

    /** malloc's realloc(p, 0) frees p on glibc: a reallocation to 0 bytes must keep a live block, as ours do. */
    @Test
    void aReallocationToZeroBytesThroughMallocKeepsALiveBlock() throws IOException {
        final Trace trace = parse("a 0 64 16\nr 0 0\nf 0\n");
        final MallocSlots heap = new MallocSlots(trace.blockCount(), false);
        final ReplayReport report = TraceReplayer.measure(trace, heap);
        assertEquals(0, report.failures());
        assertFalse(heap.holds(0));
    }

    @Test
    void measuringPassNoticesAReallocationThatLostTheBlocksContents() throws IOException {
        final TestBumpAllocator forgetful = new TestBumpAllocator(memory, false);
        final IllegalStateException error = assertThrows(IllegalStateException.class,
            () -> TraceReplayer.replay(parse(TINY), forgetful, memory.baseAddress(),
                FootprintRule.HIGHEST_BLOCK_END));
        assertTrue(error.getMessage().startsWith("block lost its contents during replay: trace=tiny, operation=2,"
            + " id=0, found="), error.getMessage());
        forgetful.checkIntegrity();
    }

    @Test
    void shippedTraceReplaysThroughMallocWithoutFailuresAndKeepsEveryBlocksContents() {
        final Trace trace = TraceFiles.load("ls-recursive");
        final MallocSlots heap = new MallocSlots(trace.blockCount(), false);
        final ReplayReport measured = TraceReplayer.measure(trace, heap);
        assertEquals(0, measured.failures());
        assertEquals(-1, measured.peakFootprintBytes(), "malloc's footprint is not measured");
        assertTrue(Double.isNaN(measured.footprintRatio()));
        heap.freeAll();
        assertEquals(0, TraceReplayer.replay(trace, heap));
        heap.freeAll();
        for (int slot = 0; slot < heap.capacity(); slot++) {
            assertFalse(heap.holds(slot));
        }
    }
}
