package dev.ffmalloc.bench;

import dev.ffmalloc.bench.heap.ContenderHeap;
import dev.ffmalloc.bench.heap.SlotHeap;
import dev.ffmalloc.bench.workload.ChurnStep;
import dev.ffmalloc.bench.workload.Workload;
import dev.ffmalloc.bench.workload.XorShift64Star;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.TimeUnit;

/**
 * W4 two-thread (WORKLOADS.md): W2 on two threads at once, each with its own live set and the seed of its JMH
 * thread index, against one shared instance of the contender (the project's allocators behind a
 * {@code LockedAllocator}). Score: total steps per microsecond, i.e. millions of steps per second (JMH sums the
 * threads' throughput).
 *
 * <p>Not final: JMH subclasses benchmark classes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(2)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dio.netty.leakDetection.level=disabled",
    "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class TwoThreadChurnBenchmark {

    /** The instance both threads share. */
    @State(Scope.Benchmark)
    public static class SharedInstance {

        /** The contender's label ({@link Contender#label()}). */
        @Param("malloc")
        public String contender;

        ContenderHeap instance;

        /** Opens the shared instance. */
        @Setup(Level.Trial)
        public void open() {
            instance = Contender.forLabel(contender).open(Workload.TWO_THREAD_CHURN);
        }

        /** Gives it back. */
        @TearDown(Level.Trial)
        public void close() {
            instance.close();
        }
    }

    /** One thread's live set and random numbers. */
    @State(Scope.Thread)
    public static class ThreadLiveSet {

        SlotHeap heap;
        ChurnStep step;

        /** Opens this thread's view, seeded by its thread index, and warms it up. */
        @Setup(Level.Trial)
        public void open(final SharedInstance shared, final ThreadParams thread) {
            heap = shared.instance.slots(ChurnStep.SLOTS);
            step = new ChurnStep(XorShift64Star.seedOfThread(thread.getThreadIndex()));
            for (int index = 0; index < ChurnStep.WARM_UP_STEPS; index++) {
                step.runOn(heap);
            }
        }

        /** Frees this thread's live set. */
        @TearDown(Level.Trial)
        public void close() {
            heap.close();
        }
    }

    /** One step of one thread. */
    @Benchmark
    public void step(final ThreadLiveSet live) {
        live.step.runOn(live.heap);
    }
}
