package dev.ffmalloc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Fork;

class JvmFlagsTest {

    /** The JVM runs the inline command as an inline directive for the harness's pair method (it echoes it). */
    @Test
    void inlinePairIsAnInlineDirectiveTheJvmAccepts() throws IOException, InterruptedException {
        final String output = runJava(JvmFlags.INLINE_PAIR, "-version");

        assertTrue(output.contains("CompileCommand: inline dev/ffmalloc/bench/heap/SlotHeap.pair bool inline = true"),
            () -> "the JVM did not take the inline command: " + output);
    }

    /**
     * The quiet command is a flag of its own, before the command it quiets: the JVM reads {@code quiet} as the whole
     * command and drops whatever follows it on the same flag, which left W1's glue out of line in earlier runs.
     */
    @Test
    void forkArgsQuietTheCompileCommandsWithAFlagOfItsOwnBeforeThem() {
        final List<String> forkArgs = Arrays.asList(JvmFlags.FORK_ARGS);

        assertEquals("-XX:CompileCommand=quiet", JvmFlags.QUIET_COMPILE_COMMANDS);
        assertTrue(forkArgs.indexOf(JvmFlags.QUIET_COMPILE_COMMANDS) >= 0, "quiet is a fork argument");
        assertTrue(forkArgs.indexOf(JvmFlags.QUIET_COMPILE_COMMANDS) < forkArgs.indexOf(JvmFlags.INLINE_PAIR),
            () -> "quiet comes before the inline command: " + forkArgs);
        for (final String arg : forkArgs) {
            assertTrue(!arg.startsWith("-XX:CompileCommand=quiet,"), () -> "a command hidden behind quiet: " + arg);
        }
    }

    /** A W1 run by hand gets what the suite's forks get; the other workloads get everything but W1's inlining. */
    @Test
    void theWorkloadBenchmarksForkAnnotationsRepeatTheForkArgs() {
        assertEquals(List.of(JvmFlags.FORK_ARGS), List.of(PairBenchmark.class.getAnnotation(Fork.class).jvmArgs()));
        final List<String> withoutInlining = new ArrayList<>(List.of(JvmFlags.FORK_ARGS));
        withoutInlining.removeAll(List.of(JvmFlags.QUIET_COMPILE_COMMANDS, JvmFlags.INLINE_PAIR));
        for (final Class<?> benchmark : List.of(ChurnBenchmark.class, SlabObjectsBenchmark.class,
            TwoThreadChurnBenchmark.class, TraceReplayBenchmark.class)) {
            assertEquals(withoutInlining, List.of(benchmark.getAnnotation(Fork.class).jvmArgs()),
                benchmark.getSimpleName());
        }
    }

    private static String runJava(final String... args) throws IOException, InterruptedException {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder builder = new ProcessBuilder();
        builder.command().add(java);
        builder.command().addAll(Arrays.asList(args));
        builder.redirectErrorStream(true);
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "java -version did not end within a minute");
        assertEquals(0, process.exitValue(), () -> "java exited with an error: " + output);
        return output;
    }
}
