package dev.ffmalloc.bench;

import dev.ffmalloc.bench.trace.TraceFiles;
import dev.ffmalloc.bench.trace.TraceParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A fixed heap for a replay is four times the trace's peak live bytes rounded up to a power of two, 1 MiB at least. */
final class TraceHeapSizeTest {

    @Test
    void shippedTracesGetFourTimesTheirPeakRoundedUpToAPowerOfTwo() {
        // Peaks 296,210 / 21,912,612 / 7,980,100 bytes -> 512 KiB / 32 MiB / 8 MiB rounded, times four.
        assertEquals(2L << 20, TraceReplayBenchmark.fixedHeapBytes(TraceFiles.load("ls-recursive")));
        assertEquals(128L << 20, TraceReplayBenchmark.fixedHeapBytes(TraceFiles.load("perl-hash")));
        assertEquals(32L << 20, TraceReplayBenchmark.fixedHeapBytes(TraceFiles.load("python-wordcount")));
    }

    @Test
    void tinyAndExactPowerOfTwoPeaks() throws IOException {
        assertEquals(1L << 20, TraceReplayBenchmark.fixedHeapBytes(TraceParser.parse("t", new StringReader(""))));
        assertEquals(1L << 20,
            TraceReplayBenchmark.fixedHeapBytes(TraceParser.parse("t", new StringReader("a 0 100 16\n"))));
        assertEquals(4L << 20,
            TraceReplayBenchmark.fixedHeapBytes(TraceParser.parse("t", new StringReader("a 0 1048576 16\n"))));
        assertEquals(8L << 20,
            TraceReplayBenchmark.fixedHeapBytes(TraceParser.parse("t", new StringReader("a 0 1048577 16\n"))));
    }
}
