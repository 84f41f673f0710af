package dev.ffmalloc.bench.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The recorded traces shipped with the benchmarks, as class-path resources {@code /traces/NAME.trace.gz} (copies of
 * the project's shared traces; the suite never reads outside its own tree).
 */
public final class TraceFiles {

    /** The names of the shipped traces, in the order of TRACES.md. */
    public static final List<String> NAMES = List.of("ls-recursive", "perl-hash", "python-wordcount");

    private TraceFiles() {
    }

    /**
     * Loads and parses a shipped trace.
     *
     * @throws IllegalArgumentException if there is no trace of that name
     * @throws MalformedTraceException  if the file is malformed
     */
    public static Trace load(final String name) {
        final String resource = "/traces/" + name + ".trace.gz";
        try (InputStream compressed = TraceFiles.class.getResourceAsStream(resource)) {
            if (compressed == null) {
                throw new IllegalArgumentException("no such trace: name=" + name + ", resource=" + resource
                    + ", known=" + NAMES);
            }
            try (Reader text = new InputStreamReader(new GZIPInputStream(compressed, 1 << 16),
                StandardCharsets.US_ASCII)) {
                return TraceParser.parse(name, text);
            }
        } catch (final IOException readFailed) {
            throw new UncheckedIOException("trace could not be read: name=" + name, readFailed);
        }
    }
}
