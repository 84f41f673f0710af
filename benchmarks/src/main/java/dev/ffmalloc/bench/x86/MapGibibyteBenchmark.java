package dev.ffmalloc.bench.x86;

import dev.ffmalloc.x86sim.Simulator;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Mapping 1 GiB of physical memory with 4 KiB pages (262,144 leaf entries, 512 page tables created from a frame
 * allocator) into a fresh address space (issue 6's target: under 1 second). The frames mapped need no backing;
 * only the page tables live in the simulated RAM. Not final: JMH subclasses benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class MapGibibyteBenchmark {

    private static final long GIB = 1L << 30;
    private static final long TABLE_AREA_END = 4L << 20;

    private Simulator machine;
    private Mapper mapper;

    /** RAM for the tables. */
    @Setup(Level.Trial)
    public void boot() {
        machine = Simulator.withFlatRam(TABLE_AREA_END, CpuModel.DEFAULT, 1);
    }

    /** A fresh, empty address space before each mapping. */
    @Setup(Level.Invocation)
    public void newAddressSpace() {
        mapper = machine.newAddressSpace(new StackFrameSource(0x1000, TABLE_AREA_END), false);
    }

    /** Releases the RAM. */
    @TearDown(Level.Trial)
    public void close() {
        machine.close();
    }

    /** One GiB, 4 KiB page by 4 KiB page. */
    @Benchmark
    public Mapper map1GiBWith4KiBPages() {
        mapper.mapRange(VirtAddr.of(0xFFFF_8880_0000_0000L), PhysAddr.of(GIB), GIB,
            PageTableFlags.WRITABLE | PageTableFlags.GLOBAL, PageSize.SIZE_4KIB).ignore();
        return mapper;
    }
}
