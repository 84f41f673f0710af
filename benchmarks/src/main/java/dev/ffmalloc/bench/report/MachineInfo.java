package dev.ffmalloc.bench.report;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

/**
 * What machine a suite run ran on, kept beside its JSON result file as {@code NAME.machine.properties} (JMH's JSON
 * records the JVM but not the machine), so that the table can be regenerated from the files alone.
 */
public final class MachineInfo {

    /** Suffix of the file beside {@code NAME.json}. */
    public static final String SUFFIX = ".machine.properties";

    private MachineInfo() {
    }

    /** @return the machine this JVM runs on: CPUs (as {@code nproc} counts them), CPU model, OS, time */
    public static Properties current() {
        final Properties machine = new Properties();
        machine.setProperty("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        machine.setProperty("cpuModel", cpuModel());
        machine.setProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"));
        machine.setProperty("date", Instant.now().toString());
        return machine;
    }

    /** @return the file that holds the machine of result file {@code json} */
    public static Path besides(final Path json) {
        final String name = json.getFileName().toString();
        final String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(base + SUFFIX);
    }

    /** Writes {@code machine} beside {@code json}. */
    public static void write(final Path json, final Properties machine) throws IOException {
        try (Writer out = Files.newBufferedWriter(besides(json), StandardCharsets.UTF_8)) {
            machine.store(out, "machine of " + json.getFileName());
        }
    }

    /** @return the machine recorded beside {@code json}, or an empty set if there is none */
    public static Properties read(final Path json) throws IOException {
        final Properties machine = new Properties();
        final Path file = besides(json);
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                machine.load(in);
            }
        }
        return machine;
    }

    private static String cpuModel() {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (final IOException | UnsupportedOperationException noCpuInfo) {
            // Not Linux: fall through.
        }
        return "unknown (no /proc/cpuinfo)";
    }
}
