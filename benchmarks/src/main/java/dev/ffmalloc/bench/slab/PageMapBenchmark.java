package dev.ffmalloc.bench.slab;

import dev.ffmalloc.slab.AgronaPageMap;
import dev.ffmalloc.slab.NativePageMap;
import dev.ffmalloc.slab.PageMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The page-to-SlabInfo lookup a slab cache makes on every free (slab larger than a page, or {@code LARGE}): a hit in
 * a map of {@code entries} pages, visited in a random order, for each {@link PageMap}. Decides which map is the
 * default.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PageMapBenchmark {

    private static final long PAGE_SIZE = 4096;
    private static final long BASE_ADDR = 0x7F12_3400_0000L;

    /** Which map. */
    @Param({"agrona", "native"})
    public String pageMap;

    /** Pages in the map: 4 pages each of 1,024 or 65,536 slabs. */
    @Param({"4096", "262144"})
    public int entries;

    private PageMap map;
    private long[] lookups;
    private int lookupMask;
    private int next;

    @Setup
    public void fill() {
        map = pageMap.equals("native") ? new NativePageMap() : new AgronaPageMap();
        for (int page = 0; page < entries; page++) {
            map.put(BASE_ADDR + page * PAGE_SIZE, BASE_ADDR + page * 64L);
        }
        lookups = new long[1 << 16];
        lookupMask = lookups.length - 1;
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < lookups.length; i++) {
            lookups[i] = BASE_ADDR + random.nextInt(entries) * PAGE_SIZE;
        }
    }

    @TearDown
    public void close() {
        map.close();
    }

    /** One lookup that hits. */
    @Benchmark
    public long get() {
        final long pageAddr = lookups[next];
        next = (next + 1) & lookupMask;
        return map.get(pageAddr);
    }
}
