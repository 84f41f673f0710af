package dev.ffmalloc.bench.trace;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

final class TraceParserTest {

    private static Trace parse(final String text) throws IOException {
        return TraceParser.parse("t", new StringReader(text));
    }

    @Test
    void wellFormedTraceIsReadIntoArraysWithTheAlignmentCarriedToReallocations() throws IOException {
        final Trace trace = parse("""
            # trace v1: a tiny program
            a 0 100 16
            a 1 0 64
            r 0 300
            # a comment between operations
            f 1
            a 2 50 16
            f 0
            """);
        assertEquals("t", trace.name());
        assertEquals("trace v1: a tiny program", trace.description());
        assertEquals(6, trace.operationCount());
        assertEquals(3, trace.blockCount());
        // live bytes: 100, 100, 300, 300, 350, 50 -> peak 350
        assertEquals(350, trace.peakLiveBytes());
        assertEquals(Trace.ALLOCATE, trace.operation(1));
        assertEquals(1, trace.blockId(1));
        assertEquals(0, trace.byteSize(1));
        assertEquals(64, trace.byteAlignment(1));
        assertEquals(Trace.REALLOCATE, trace.operation(2));
        assertEquals(0, trace.blockId(2));
        assertEquals(300, trace.byteSize(2));
        assertEquals(16, trace.byteAlignment(2));
        assertEquals(Trace.FREE, trace.operation(3));
        assertEquals(1, trace.blockId(3));
        assertEquals(2, trace.blockId(4));
    }

    @Test
    void emptyTextIsAnEmptyTrace() throws IOException {
        final Trace trace = parse("");
        assertEquals(0, trace.operationCount());
        assertEquals(0, trace.blockCount());
        assertEquals(0, trace.peakLiveBytes());
        assertEquals("", trace.description());
    }

    @Test
    void blocksNeverFreedAreAllowed() throws IOException {
        final Trace trace = parse("a 0 8 16\na 1 8 16\n");
        assertEquals(16, trace.peakLiveBytes());
    }

    @Test
    void manyOperationsGrowTheArrays() throws IOException {
        final StringBuilder text = new StringBuilder();
        for (int id = 0; id < 10_000; id++) {
            text.append("a ").append(id).append(" 1 16\n");
        }
        for (int id = 0; id < 10_000; id++) {
            text.append("f ").append(id).append('\n');
        }
        final Trace trace = parse(text.toString());
        assertEquals(20_000, trace.operationCount());
        assertEquals(10_000, trace.blockCount());
        assertEquals(10_000, trace.peakLiveBytes());
        assertEquals(9_999, trace.blockId(19_999));
    }

    static Stream<Arguments> malformedLines() {
        return Stream.of(
            Arguments.of("a 0 8 16\n\n", 2, "empty line", ""),
            Arguments.of("x 0 8 16\n", 1, "unknown operation: op=x", "x 0 8 16"),
            Arguments.of("A 0 8 16\n", 1, "unknown operation: op=A", "A 0 8 16"),
            Arguments.of("alloc 0 8 16\n", 1, "unknown operation: op=alloc", "alloc 0 8 16"),
            Arguments.of("a 0 8\n", 1, "wrong number of fields for 'a': expected=4, found=3", "a 0 8"),
            Arguments.of("a 0 8 16 3\n", 1, "wrong number of fields for 'a': expected=4, found=5", "a 0 8 16 3"),
            Arguments.of("a 0 8 16\nf\n", 2, "wrong number of fields for 'f': expected=2, found=1", "f"),
            Arguments.of("a 0 8 16\nf 0 8\n", 2, "wrong number of fields for 'f': expected=2, found=3", "f 0 8"),
            Arguments.of("a 0 8 16\nr 0\n", 2, "wrong number of fields for 'r': expected=3, found=2", "r 0"),
            Arguments.of("a  0 8 16\n", 1, "empty field (fields are separated by one space)", "a  0 8 16"),
            Arguments.of("a 0 8 16 \n", 1, "empty field (fields are separated by one space)", "a 0 8 16 "),
            Arguments.of(" a 0 8 16\n", 1, "empty field (fields are separated by one space)", " a 0 8 16"),
            Arguments.of("a\t0 8 16\n", 1, "unknown operation: op=a\t0", "a\t0 8 16"),
            Arguments.of("a 0 -8 16\n", 1, "not an unsigned decimal number: field=size, value=-8", "a 0 -8 16"),
            Arguments.of("a 0 +8 16\n", 1, "not an unsigned decimal number: field=size, value=+8", "a 0 +8 16"),
            Arguments.of("a 0 0x10 16\n", 1, "not an unsigned decimal number: field=size, value=0x10",
                "a 0 0x10 16"),
            Arguments.of("a zero 8 16\n", 1, "not an unsigned decimal number: field=id, value=zero", "a zero 8 16"),
            Arguments.of("a 0 8 sixteen\n", 1, "not an unsigned decimal number: field=align, value=sixteen",
                "a 0 8 sixteen"),
            Arguments.of("a 0 8 16\nf 0x0\n", 2, "not an unsigned decimal number: field=id, value=0x0", "f 0x0"),
            Arguments.of("a 0 8 16\nr 0 1.5\n", 2, "not an unsigned decimal number: field=size, value=1.5",
                "r 0 1.5"),
            Arguments.of("a 0 1234567890123456789 16\n", 1,
                "number is too large: field=size, value=1234567890123456789", "a 0 1234567890123456789 16"),
            Arguments.of("a 0 1099511627777 16\n", 1, "size is too large: size=1099511627777, max=1099511627776",
                "a 0 1099511627777 16"),
            Arguments.of("a 0 8 16\nr 0 2000000000000\n", 2,
                "size is too large: size=2000000000000, max=1099511627776", "r 0 2000000000000"),
            Arguments.of("a 0 8 24\n", 1, "alignment is not a power of two: align=24", "a 0 8 24"),
            Arguments.of("a 0 8 0\n", 1, "alignment is not a power of two: align=0", "a 0 8 0"),
            Arguments.of("a 0 8 8\n", 1, "alignment is out of range: align=8, min=16, max=1073741824", "a 0 8 8"),
            Arguments.of("a 0 8 2147483648\n", 1,
                "alignment is out of range: align=2147483648, min=16, max=1073741824", "a 0 8 2147483648"),
            Arguments.of("a 1 8 16\n", 1, "id skips ahead (ids are dense): id=1, expected=0", "a 1 8 16"),
            Arguments.of("a 0 8 16\na 2 8 16\n", 2, "id skips ahead (ids are dense): id=2, expected=1",
                "a 2 8 16"),
            Arguments.of("a 0 8 16\na 0 8 16\n", 2, "id is reused: id=0", "a 0 8 16"),
            Arguments.of("a 0 8 16\nf 0\na 0 8 16\n", 3, "id is reused: id=0", "a 0 8 16"),
            Arguments.of("f 0\n", 1, "free of a block never allocated: id=0", "f 0"),
            Arguments.of("a 0 8 16\nf 5\n", 2, "free of a block never allocated: id=5", "f 5"),
            Arguments.of("a 0 8 16\nf 0\nf 0\n", 3, "free of a block already freed: id=0", "f 0"),
            Arguments.of("r 0 8\n", 1, "reallocation of a block never allocated: id=0", "r 0 8"),
            Arguments.of("a 0 8 16\nf 0\nr 0 8\n", 3, "reallocation of a block already freed: id=0", "r 0 8"),
            Arguments.of("# header\na 0 8 16\n# note\nb\n", 4, "unknown operation: op=b", "b"));
    }

    @ParameterizedTest(name = "[{index}] line {1}: {2}")
    @MethodSource("malformedLines")
    void malformedLineIsRejectedWithItsNumberReasonAndText(final String text, final int line, final String reason,
                                                            final String lineText) {
        final MalformedTraceException error = assertThrows(MalformedTraceException.class, () -> parse(text));
        assertEquals("malformed trace line: trace=t, line=" + line + ", reason=" + reason + ", text=\""
            + lineText + "\"", error.getMessage());
        assertEquals(line, error.lineNumber());
    }

    @Test
    void shippedTracesParseWithTheOperationCountsOfTracesMd() {
        // Counts from TRACES.md; peak live bytes computed independently from the files with awk.
        final Trace ls = TraceFiles.load("ls-recursive");
        assertEquals(33_935, ls.operationCount());
        assertEquals(296_210, ls.peakLiveBytes());
        final Trace perl = TraceFiles.load("perl-hash");
        assertEquals(455_122, perl.operationCount());
        assertEquals(21_912_612, perl.peakLiveBytes());
        final Trace python = TraceFiles.load("python-wordcount");
        assertEquals(330_513, python.operationCount());
        assertEquals(7_980_100, python.peakLiveBytes());
        assertEquals(164_145, python.blockCount());
    }

    @Test
    void unknownTraceNameIsRejected() {
        assertEquals("no such trace: name=nope, resource=/traces/nope.trace.gz, known=[ls-recursive, perl-hash,"
                + " python-wordcount]",
            assertThrows(IllegalArgumentException.class, () -> TraceFiles.load("nope")).getMessage());
    }
}
