package dev.ffmalloc.bench.report;

import dev.ffmalloc.bench.ChurnBenchmark;
import dev.ffmalloc.bench.Contender;
import dev.ffmalloc.bench.JvmFlags;
import dev.ffmalloc.bench.PairBenchmark;
import dev.ffmalloc.bench.ReplayFiguresProfiler;
import dev.ffmalloc.bench.SlabObjectsBenchmark;
import dev.ffmalloc.bench.TraceReplayBenchmark;
import dev.ffmalloc.bench.TwoThreadChurnBenchmark;
import dev.ffmalloc.bench.trace.TraceFiles;
import dev.ffmalloc.bench.workload.Workload;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Runs the whole suite in one JMH session per group, merges every result into one JSON file in the results folder
 * and regenerates the results table. Every workload runs with exactly the contenders of {@link Contender} that serve
 * it; contenders whose forks need more arguments ({@link Contender#forkArgs()}: Netty threads, unchecked memory) run
 * in sessions of their own; every other benchmark class of the module (e.g. {@code dev.ffmalloc.bench.x86}) runs
 * last with its own parameters.
 *
 * <pre>
 * SuiteRunner [--smoke] [--only W1,W2,W3,W4,traces,other] [--contenders a,b] [--results DIR] [--table FILE]
 * </pre>
 */
public final class SuiteRunner {

    /**
     * The suite's shape: 1 fork, 2 x 1 s warm-up (W2 and W4 also warm their heaps with a million steps first),
     * 3 x 1 s measurement, for every benchmark of the module (other classes included, whatever their annotations
     * say), and {@link #AVERAGED_FORKS} forks for W1 and W2; about 20 minutes in all on 2 cores.
     */
    private static final int WARMUP_ITERATIONS = 2;
    private static final TimeValue WARMUP_TIME = TimeValue.seconds(1);
    private static final int MEASUREMENT_ITERATIONS = 3;
    private static final TimeValue MEASUREMENT_TIME = TimeValue.seconds(1);

    /**
     * Forks for W1 and W2, whose ratios sit near their targets' lines and whose runs are short. A fork's iterations
     * agree closely, but forks do not (malloc's W2 figure moved between 138 and 157 ns from run to run while each
     * run's three iterations stayed within 7%: where the heap and the JIT land differs per JVM), so the score is
     * the mean over three forks.
     */
    static final int AVERAGED_FORKS = 3;

    /** Smoke runs only show that everything runs. */
    private static final int SMOKE_ITERATIONS = 1;
    private static final TimeValue SMOKE_TIME = TimeValue.milliseconds(200);

    private static final String OTHER = "other";

    private boolean smoke;
    private Set<String> only = new TreeSet<>();
    private Set<String> contenders = new TreeSet<>();
    private Path resultsDir = Path.of("benchmarks", "results");
    private Path table = Path.of("benchmarks", "RESULTS.md");

    private SuiteRunner() {
    }

    /** Runs the suite; see the class documentation for the arguments. */
    public static void main(final String[] args) throws IOException, RunnerException {
        final SuiteRunner runner = new SuiteRunner();
        runner.parseArguments(args);
        runner.run();
    }

    private void parseArguments(final String[] args) {
        for (int index = 0; index < args.length; index++) {
            switch (args[index]) {
                case "--smoke" -> smoke = true;
                case "--only" -> only = new TreeSet<>(Arrays.asList(value(args, ++index).split(",")));
                case "--contenders" -> contenders = new TreeSet<>(Arrays.asList(value(args, ++index).split(",")));
                case "--results" -> resultsDir = Path.of(value(args, ++index));
                case "--table" -> table = Path.of(value(args, ++index));
                default -> throw new IllegalArgumentException("unknown argument: argument=" + args[index]
                    + "; usage: SuiteRunner [--smoke] [--only W1,W2,W3,W4,traces,other] [--contenders a,b]"
                    + " [--results DIR] [--table FILE]");
            }
        }
        for (final String label : contenders) {
            Contender.forLabel(label);
        }
    }

    private static String value(final String[] args, final int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException("argument needs a value: argument=" + args[index - 1]);
        }
        return args[index];
    }

    private void run() throws IOException, RunnerException {
        final long startNanos = System.nanoTime();
        final List<RunResult> results = new ArrayList<>();
        runWorkload(results, Workload.PAIR, PairBenchmark.class);
        runWorkload(results, Workload.CHURN, ChurnBenchmark.class);
        runWorkload(results, Workload.SLAB_OBJECTS, SlabObjectsBenchmark.class);
        runWorkload(results, Workload.TWO_THREAD_CHURN, TwoThreadChurnBenchmark.class);
        runWorkload(results, Workload.TRACE_REPLAY, TraceReplayBenchmark.class);
        runOthers(results);
        if (results.isEmpty()) {
            throw new IllegalStateException("suite produced no result: only=" + only + ", contenders=" + contenders);
        }
        Files.createDirectories(resultsDir);
        final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        final Path json = resultsDir.resolve((smoke ? "smoke-" : "suite-") + stamp + ".json");
        try (PrintStream out = new PrintStream(Files.newOutputStream(json), false, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(results);
        }
        MachineInfo.write(json, MachineInfo.current());
        ResultsTable.write(json, table);
        System.out.printf("suite finished: results=%s, entries=%d, minutes=%.1f%n", json, results.size(),
            (System.nanoTime() - startNanos) / 60e9);
    }

    private void runWorkload(final List<RunResult> results, final Workload workload, final Class<?> benchmark)
        throws RunnerException {
        if (!only.isEmpty() && !only.contains(workload.id())) {
            return;
        }
        // One session per set of extra fork arguments (none, Netty threads, unchecked memory).
        final Map<List<String>, List<String>> labelsByForkArgs = new LinkedHashMap<>();
        labelsByForkArgs.put(List.of(), new ArrayList<>());
        for (final Contender contender : Contender.values()) {
            if (contender.serves(workload) && (contenders.isEmpty() || contenders.contains(contender.label()))) {
                labelsByForkArgs.computeIfAbsent(contender.forkArgs(), key -> new ArrayList<>()).add(contender.label());
            }
        }
        final int forks = !smoke && (workload == Workload.PAIR || workload == Workload.CHURN) ? AVERAGED_FORKS : 1;
        for (final Map.Entry<List<String>, List<String>> group : labelsByForkArgs.entrySet()) {
            if (workload == Workload.TRACE_REPLAY) {
                runTraceSessions(results, benchmark, group.getValue(), group.getKey());
            } else {
                runSession(results, benchmark, group.getValue(), null, group.getKey(), forks);
            }
        }
    }

    /** One session per set of traces: most contenders replay every trace, a slow one skips some. */
    private void runTraceSessions(final List<RunResult> results, final Class<?> benchmark, final List<String> labels,
                                  final List<String> forkArgs) throws RunnerException {
        final Map<List<String>, List<String>> contendersByTraces = new LinkedHashMap<>();
        for (final String label : labels) {
            final List<String> traces = new ArrayList<>();
            for (final String trace : TraceFiles.NAMES) {
                if (Contender.forLabel(label).replaysTrace(trace)) {
                    traces.add(trace);
                }
            }
            contendersByTraces.computeIfAbsent(traces, key -> new ArrayList<>()).add(label);
        }
        for (final Map.Entry<List<String>, List<String>> group : contendersByTraces.entrySet()) {
            runSession(results, benchmark, group.getValue(), group.getKey(), forkArgs, 1);
        }
    }

    private void runSession(final List<RunResult> results, final Class<?> benchmark, final List<String> labels,
                            final List<String> traces, final List<String> forkArgs, final int forks)
        throws RunnerException {
        if (labels.isEmpty() || traces != null && traces.isEmpty()) {
            return;
        }
        final ChainedOptionsBuilder options = baseOptions()
            .forks(forks)
            .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
            .param("contender", labels.toArray(String[]::new));
        if (traces != null) {
            options.param("trace", traces.toArray(String[]::new));
        }
        if (!forkArgs.isEmpty()) {
            options.jvmArgsAppend(forkArgs.toArray(String[]::new));
        }
        results.addAll(new Runner(options.build()).run());
    }

    private void runOthers(final List<RunResult> results) throws RunnerException {
        if (!only.isEmpty() && !only.contains(OTHER)) {
            return;
        }
        final ChainedOptionsBuilder options = baseOptions().include("^dev\\.ffmalloc\\.bench\\.");
        for (final Class<?> suite : List.of(PairBenchmark.class, ChurnBenchmark.class, SlabObjectsBenchmark.class,
            TwoThreadChurnBenchmark.class, TraceReplayBenchmark.class)) {
            options.exclude("^" + Pattern.quote(suite.getName()) + "\\.");
        }
        try {
            results.addAll(new Runner(options.build()).run());
        } catch (final NoBenchmarksException none) {
            System.out.println("no other benchmark classes in the module");
        }
    }

    private ChainedOptionsBuilder baseOptions() {
        return new OptionsBuilder()
            .forks(1)
            .warmupIterations(smoke ? SMOKE_ITERATIONS : WARMUP_ITERATIONS)
            .warmupTime(smoke ? SMOKE_TIME : WARMUP_TIME)
            .measurementIterations(smoke ? SMOKE_ITERATIONS : MEASUREMENT_ITERATIONS)
            .measurementTime(smoke ? SMOKE_TIME : MEASUREMENT_TIME)
            .jvmArgs(JvmFlags.FORK_ARGS)
            .addProfiler(GCProfiler.class)
            .addProfiler(ReplayFiguresProfiler.class)
            .shouldFailOnError(false);
    }
}
