package dev.ffmalloc.bench.slab;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.slab.AgronaPageMap;
import dev.ffmalloc.slab.NativePageMap;
import dev.ffmalloc.slab.ObjectSizeType;
import dev.ffmalloc.slab.PageMap;
import dev.ffmalloc.slab.RegionSlabBackend;
import dev.ffmalloc.slab.SlabCache;
import dev.ffmalloc.slab.SlabConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A W3-shaped round on a slab cache in each configuration: allocate 1,000,000 objects of 48 bytes (storing {@code i}
 * at offset 0 of object {@code i}), then free them in a fixed shuffled order; allocation and free are scored
 * separately, in ns per operation. The order is a Fisher-Yates shuffle from {@link SplittableRandom}, not the suite's
 * W3 generator: this benchmark compares the configurations and page maps with each other, the suite's W3 compares
 * the cache with the baselines.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 5)
@Measurement(iterations = 10)
public class SlabRoundBenchmark {

    private static final int OBJECTS = 1_000_000;

    /** Configuration and page map. */
    @Param({"small-page", "small-4page-agrona", "small-4page-native", "large-2page-agrona", "large-2page-native"})
    public String setup;

    private Arena arena;
    private PageMap pageMap;
    private SlabCache cache;
    private Memory memory;
    private long[] objects;
    private int[] freeOrder;
    private boolean live;

    @Setup(Level.Trial)
    public void open() {
        final SlabConfig config = switch (setup) {
            case "small-page" -> SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL);
            case "small-4page-agrona", "small-4page-native" -> SlabConfig.of(48, 8, 16384, 4096, ObjectSizeType.SMALL);
            default -> SlabConfig.of(48, 8, 8192, 4096, ObjectSizeType.LARGE);
        };
        pageMap = setup.endsWith("native") ? new NativePageMap() : new AgronaPageMap();
        arena = Arena.ofConfined();
        final NativeMemory heap = NativeMemory.allocate(arena, 72L << 20);
        cache = new SlabCache(config, new RegionSlabBackend(heap, heap.baseAddress(), heap.byteSize(), config,
            pageMap));
        memory = cache.memory();
        objects = new long[OBJECTS];
        freeOrder = new int[OBJECTS];
        for (int i = 0; i < OBJECTS; i++) {
            freeOrder[i] = i;
        }
        final SplittableRandom random = new SplittableRandom(0x5EED0L);
        for (int i = OBJECTS - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            final int swap = freeOrder[i];
            freeOrder[i] = freeOrder[j];
            freeOrder[j] = swap;
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        cache.checkIntegrity();
        cache.close();
        pageMap.close();
        arena.close();
    }

    /** Before each invocation, outside the measurement: all objects live for {@link #free}, none for the other. */
    @Setup(Level.Invocation)
    public void prepare(final BenchmarkParams params) {
        final boolean wantLive = params.getBenchmark().endsWith(".free");
        if (wantLive && !live) {
            allocateAllObjects();
        } else if (!wantLive && live) {
            freeAllObjects();
        }
    }

    /** Allocates the million objects. */
    @Benchmark
    @OperationsPerInvocation(OBJECTS)
    public void allocate() {
        allocateAllObjects();
    }

    /** Frees the million objects in the shuffled order. */
    @Benchmark
    @OperationsPerInvocation(OBJECTS)
    public void free() {
        freeAllObjects();
    }

    private void allocateAllObjects() {
        final SlabCache cache = this.cache;
        final Memory memory = this.memory;
        final long[] objects = this.objects;
        for (int i = 0; i < OBJECTS; i++) {
            final long objectAddr = cache.tryAllocate();
            memory.setLong(objectAddr, i);
            objects[i] = objectAddr;
        }
        live = true;
    }

    private void freeAllObjects() {
        final SlabCache cache = this.cache;
        final long[] objects = this.objects;
        final int[] freeOrder = this.freeOrder;
        for (int i = 0; i < OBJECTS; i++) {
            cache.free(objects[freeOrder[i]]);
        }
        live = false;
    }
}
