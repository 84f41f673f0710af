package dev.ffmalloc.bench.x86;

import dev.ffmalloc.x86sim.Simulator;
import dev.ffmalloc.x86sim.cpu.AccessKind;
import dev.ffmalloc.x86sim.cpu.Cpu;
import dev.ffmalloc.x86sim.cpu.VirtualMemory;
import dev.ffmalloc.x86sim.firmware.E820Parser;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.Mapper;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PageTableFlags;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.paging.StackFrameSource;
import dev.ffmalloc.x86sim.paging.VirtAddr;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The paging unit's costs (issue 6's targets): a load through {@link VirtualMemory} that hits the TLB against a plain
 * {@link MemorySegment} load of the same value (target: within 10x), the translation alone on a TLB hit, and a full
 * 4-level walk on a miss (target: under 100 ns; measured as INVLPG plus the translation that then walks).
 *
 * <p>Eight 4 KiB pages at a kernel-style address are mapped to frames of flat RAM; each operation reads one long at
 * the next of 64 positions spread over them, so the JIT cannot fold the address and the TLB always holds the pages.
 * Not final: JMH subclasses benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class TranslationBenchmark {

    private static final long VIRT_BASE = 0xFFFF_C900_0000_0000L;
    private static final long PHYS_BASE = 0x10_0000L;
    private static final int PAGES = 8;
    private static final String SPARSE_MAP = """
        BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
        BIOS-e820: [mem 0x0000000000100000-0x0000000007fdffff] usable
        BIOS-e820: [mem 0x0000000100000000-0x000000010fffffff] usable
        """;

    /** {@code flat}: RAM as one segment from 0; {@code e820}: the sparse RAM of a memory map (section lookup). */
    @Param({"flat", "e820"})
    public String ram;

    private Simulator machine;
    private Cpu cpu;
    private VirtualMemory memory;
    private Arena arena;
    private MemorySegment segment;
    private int position;

    /** Maps the pages, fills them and the baseline segment with the same values, warms the TLB. */
    @Setup(Level.Trial)
    public void boot() {
        machine = "flat".equals(ram) ? Simulator.withFlatRam(4 << 20, CpuModel.DEFAULT, 1)
            : Simulator.boot(E820Parser.parse(SPARSE_MAP), CpuModel.DEFAULT, 1);
        final Mapper mapper = machine.newAddressSpace(new StackFrameSource(0x1000, PHYS_BASE), false);
        mapper.mapRange(VirtAddr.of(VIRT_BASE), PhysAddr.of(PHYS_BASE), PAGES * 4096L, PageTableFlags.WRITABLE,
            PageSize.SIZE_4KIB).ignore();
        cpu = machine.cpu(0);
        cpu.writeCr3(mapper.topTableAddr().value());
        memory = machine.virtualMemory(0, false);
        arena = Arena.ofConfined();
        segment = arena.allocate(PAGES * 4096L, 4096);
        for (int i = 0; i < 64; i++) {
            memory.setLong(VIRT_BASE + offset(i), i * 31L);
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset(i), i * 31L);
        }
    }

    /** Releases the RAM. */
    @TearDown(Level.Trial)
    public void close() {
        arena.close();
        machine.close();
    }

    private static long offset(final int index) {
        return (index & (PAGES - 1)) * 4096L + (index >>> 3) * 64L;
    }

    private long nextOffset() {
        final int index = position;
        position = (index + 1) & 63;
        return offset(index);
    }

    /** A long loaded through the MMU; the translation hits the TLB. */
    @Benchmark
    public long virtualLoadTlbHit() {
        return memory.getLong(VIRT_BASE + nextOffset());
    }

    /** The same long loaded from a plain native segment: the baseline. */
    @Benchmark
    public long segmentLoad() {
        return segment.get(ValueLayout.JAVA_LONG_UNALIGNED, nextOffset());
    }

    /** The translation alone, on a TLB hit. */
    @Benchmark
    public long translateTlbHit() {
        return cpu.translate(VIRT_BASE + nextOffset(), AccessKind.READ, false);
    }

    /** INVLPG, then a translation that misses and walks all four levels. */
    @Benchmark
    public long translateFullWalk() {
        final long virtAddr = VIRT_BASE + nextOffset();
        cpu.invlpg(virtAddr);
        return cpu.translate(virtAddr, AccessKind.READ, false);
    }
}
