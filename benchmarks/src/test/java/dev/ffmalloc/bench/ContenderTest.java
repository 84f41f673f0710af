package dev.ffmalloc.bench;

import dev.ffmalloc.bench.heap.ContenderHeap;
import dev.ffmalloc.bench.heap.SlotHeap;
import dev.ffmalloc.bench.workload.Workload;
import dev.ffmalloc.memory.NativeMemory;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every contender opens for every workload it serves, with the heap sizes the suite uses, and its slot heap keeps
 * what is stored in its blocks; so a configuration mistake fails here (and in CI), not twenty minutes into a run.
 */
final class ContenderTest {

    /** A block size of each workload: its largest, and (where sizes vary) its smallest. */
    private static long[] sizesOf(final Workload workload) {
        return switch (workload) {
            case PAIR -> new long[] {64};
            case CHURN, TWO_THREAD_CHURN -> new long[] {16, 4096};
            case SLAB_OBJECTS -> new long[] {48};
            case TRACE_REPLAY -> new long[] {0, 100_000};
        };
    }

    /**
     * Runs in the checked JVM of this module's tests and again in its {@code unchecked-memory} execution: the project
     * contenders of the other mode refuse to open, so no result is measured under the wrong label.
     */
    @Test
    void everyContenderServesItsWorkloadsAndKeepsItsBlocksContents() throws Exception {
        final List<String> exercised = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        for (final Contender contender : Contender.values()) {
            for (final Workload workload : Workload.values()) {
                if (!contender.serves(workload)) {
                    continue;
                }
                if (contender.isProject() && contender.runsUnchecked() != NativeMemory.UNCHECKED) {
                    assertEquals("contender " + contender.label() + " measures "
                            + (contender.runsUnchecked() ? "unchecked" : "checked") + " memory, but this JVM runs "
                            + (NativeMemory.UNCHECKED ? "unchecked" : "checked") + ": start it with"
                            + " -Ddev.ffmalloc.memory.unchecked=" + contender.runsUnchecked(),
                        assertThrows(IllegalStateException.class, () -> contender.open(workload)).getMessage());
                    refused.add(contender.label() + "/" + workload.id());
                    continue;
                }
                if (contender.needsNettyThread()) {
                    onNettyThread(() -> exercise(contender, workload));
                } else {
                    exercise(contender, workload);
                }
                exercised.add(contender.label() + "/" + workload.id());
            }
        }
        final List<String> mustRun = NativeMemory.UNCHECKED
            ? List.of("tlsf-unchecked/W1", "tlsf-unchecked/W2", "slab-16k-masked-unchecked/W3", "malloc/W1")
            : List.of("tlsf/W3", "slab/W1", "malloc/traces", "netty-fast-thread/W4");
        final List<String> mustRefuse = NativeMemory.UNCHECKED
            ? List.of("tlsf/W1", "slab-16k-masked/W3") : List.of("tlsf-unchecked/W1", "slab-16k-masked-unchecked/W3");
        assertTrue(exercised.containsAll(mustRun), exercised.toString());
        assertTrue(refused.containsAll(mustRefuse), refused.toString());
    }

    @Test
    void uncheckedContendersAskForTheirOwnForks() {
        assertEquals(List.of("-Ddev.ffmalloc.memory.unchecked=true"), Contender.TLSF_UNCHECKED.forkArgs());
        assertEquals(List.of("-Ddev.ffmalloc.memory.unchecked=true"), Contender.SLAB_16K_PAGE_UNCHECKED.forkArgs());
        assertTrue(Contender.TLSF_UNCHECKED.runsUnchecked());
        assertFalse(Contender.TLSF.runsUnchecked());
        assertEquals(List.of(), Contender.TLSF.forkArgs());
        assertEquals(List.of(), Contender.MALLOC.forkArgs());
        assertEquals(List.of(JvmFlags.NETTY_THREAD_ARGS), Contender.NETTY_FAST_THREAD.forkArgs());
    }

    private static void exercise(final Contender contender, final Workload workload) {
        final ContenderHeap instance = contender.open(workload, Math.min(workload.fixedHeapBytes(), 64L << 20));
        try {
            if (contender == Contender.BUMP) {
                exerciseOneBlockAtATime(contender, instance.slots(1));
                return;
            }
            final SlotHeap first = instance.slots(8);
            final SlotHeap second = instance.slots(8);
            final long[] sizes = sizesOf(workload);
            final long alignment = workload == Workload.TRACE_REPLAY ? 16 : 8;
            for (int slot = 0; slot < sizes.length; slot++) {
                assertTrue(first.allocate(slot, sizes[slot], alignment), contender + " " + workload);
                assertTrue(second.allocate(slot, sizes[slot], alignment), contender + " " + workload);
                if (sizes[slot] >= Long.BYTES) {
                    first.storeLong(slot, 0x1111L * (slot + 1));
                    second.storeLong(slot, 0x2222L * (slot + 1));
                }
            }
            for (int slot = 0; slot < sizes.length; slot++) {
                if (sizes[slot] >= Long.BYTES && contender != Contender.FLOOR) {
                    assertEquals(0x1111L * (slot + 1), first.loadLong(slot), contender + " " + workload);
                    assertEquals(0x2222L * (slot + 1), second.loadLong(slot), contender + " " + workload);
                }
            }
            first.pair(48, 8);
            first.freeAll();
            second.freeAll();
            for (int slot = 0; slot < 8; slot++) {
                assertFalse(first.holds(slot));
            }
            first.close();
            second.close();
        } finally {
            instance.close();
        }
    }

    /** The bump allocator frees only its last block: W1's pair is all it is measured on. */
    private static void exerciseOneBlockAtATime(final Contender contender, final SlotHeap heap) {
        assertTrue(heap.allocate(0, 64, 8));
        heap.storeLong(0, 0x3333L);
        assertEquals(0x3333L, heap.loadLong(0), contender.label());
        heap.free(0);
        heap.pair(64, 8);
        assertFalse(heap.holds(0));
        heap.close();
    }

    @Test
    void traceReplayContendersCanResizeInPlaceOrByMoving() {
        for (final Contender contender : Contender.values()) {
            if (!contender.serves(Workload.TRACE_REPLAY)) {
                continue;
            }
            final ContenderHeap instance = contender.open(Workload.TRACE_REPLAY, 1 << 20);
            try {
                final SlotHeap heap = instance.slots(2);
                assertTrue(heap.allocate(0, 24, 16));
                heap.storeLong(0, 0xABCDL);
                assertTrue(heap.reallocate(0, 5000, 16), contender.label());
                assertEquals(0xABCDL, heap.loadLong(0), contender.label());
                assertTrue(heap.reallocate(0, 8, 16), contender.label());
                assertEquals(0xABCDL, heap.loadLong(0), contender.label());
                heap.freeAll();
                heap.close();
            } finally {
                instance.close();
            }
        }
    }

    @Test
    void labelsAreUniqueAndMallocIsTheReference() {
        final Set<String> labels = new HashSet<>();
        for (final Contender contender : Contender.values()) {
            assertTrue(labels.add(contender.label()), "label twice: " + contender.label());
            assertEquals(contender, Contender.forLabel(contender.label()));
        }
        assertEquals("malloc", Contender.REFERENCE.label());
        for (final Workload workload : Workload.values()) {
            assertTrue(Contender.REFERENCE.serves(workload), "every workload has its reference: " + workload);
        }
        assertEquals("no contender has this label: label=nope",
            assertThrows(IllegalArgumentException.class, () -> Contender.forLabel("nope")).getMessage());
    }

    @Test
    void contenderRefusesAWorkloadItDoesNotServe() {
        assertEquals("contender does not serve this workload: contender=bump, workload=W2",
            assertThrows(IllegalArgumentException.class, () -> Contender.BUMP.open(Workload.CHURN)).getMessage());
    }

    @Test
    void nettyThreadContenderRefusesAPlainThreadAndTheExecutorMakesNettyThreads() throws Exception {
        final IllegalStateException error = assertThrows(IllegalStateException.class,
            () -> Contender.NETTY_FAST_THREAD.open(Workload.PAIR).slots(1));
        assertTrue(error.getMessage().startsWith("contender must run on a Netty FastThreadLocalThread:"
            + " contender=netty-fast-thread, thread="), error.getMessage());
        final ExecutorService executor = new NettyThreadExecutor(2, "jmh-worker");
        try {
            final Future<Boolean> onNettyThread = executor.submit(
                () -> Thread.currentThread() instanceof FastThreadLocalThread);
            assertTrue(onNettyThread.get());
        } finally {
            executor.shutdown();
        }
    }

    private static void onNettyThread(final Runnable action) throws InterruptedException {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = new FastThreadLocalThread(() -> {
            try {
                action.run();
            } catch (final Throwable thrown) {
                failure.set(thrown);
            }
        });
        thread.start();
        thread.join();
        if (failure.get() != null) {
            throw new AssertionError("on a Netty thread", failure.get());
        }
    }
}
