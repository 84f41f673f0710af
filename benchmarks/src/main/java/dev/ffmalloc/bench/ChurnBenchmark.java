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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * W2 churn-random (WORKLOADS.md): one {@link ChurnStep} per operation over a live set of 4,096 slots. The live set
 * is opened once per fork and warmed with {@link ChurnStep#WARM_UP_STEPS} steps before JMH's own warm-up, and it
 * survives across iterations, so the heap is measured in its steady state. Score: ns per step.
 *
 * <p>Not final: JMH subclasses benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dio.netty.leakDetection.level=disabled",
    "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class ChurnBenchmark {

    /** The contender's label ({@link Contender#label()}). */
    @Param("malloc")
    public String contender;

    private ContenderHeap instance;
    private SlotHeap heap;
    private ChurnStep step;

    /** Opens the live set and runs the warm-up steps. */
    @Setup(Level.Trial)
    public void open() {
        instance = Contender.forLabel(contender).open(Workload.CHURN);
        heap = instance.slots(ChurnStep.SLOTS);
        step = new ChurnStep(XorShift64Star.seedOfThread(0));
        for (int index = 0; index < ChurnStep.WARM_UP_STEPS; index++) {
            step.runOn(heap);
        }
    }

    /** One step. */
    @Benchmark
    public void step() {
        step.runOn(heap);
    }

    /** Frees the live set and gives the heap back. */
    @TearDown(Level.Trial)
    public void close() {
        heap.close();
        instance.close();
    }
}
