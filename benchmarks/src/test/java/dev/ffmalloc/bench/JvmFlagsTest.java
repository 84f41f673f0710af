package dev.ffmalloc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    private static String runJava(final String... args) throws IOException, InterruptedException {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder builder = new ProcessBuilder();
        builder.command().add(java);
        builder.command().addAll(Arrays.asList(args));
        builder.redirectErrorStream(true);
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), () -> "java exited with an error: " + output);
        return output;
    }
}
