package dev.ffmalloc.bench.trace;

import org.agrona.BitUtil;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.Arrays;

/**
 * Reads the text form of TRACES.md into a {@link Trace}, rejecting the first malformed line with a
 * {@link MalformedTraceException} that names its line number and what is wrong with it.
 *
 * <pre>
 *   # comment                a comment (the first one is the trace's description)
 *   a ID SIZE ALIGN          allocate SIZE bytes (0 allowed) aligned to ALIGN (a power of two, at least 16)
 *   f ID                     free the live block ID
 *   r ID SIZE                reallocate the live block ID to SIZE bytes
 * </pre>
 *
 * Fields are separated by one space; numbers are unsigned decimals; IDs are dense and never reused: the first
 * {@code a} names 0, each next one the next integer. Not thread-safe: one parser per trace.
 */
public final class TraceParser {

    /** Smallest alignment a trace may ask for. */
    public static final long MIN_ALIGNMENT = 16;

    /** Largest size a trace may ask for (1 TiB): more is surely a corrupt line. */
    public static final long MAX_BYTE_SIZE = 1L << 40;

    /** Largest alignment a trace may ask for (1 GiB). */
    public static final long MAX_ALIGNMENT = 1L << 30;

    /** Largest number of blocks: IDs index Java arrays. */
    public static final int MAX_BLOCKS = Integer.MAX_VALUE - 16;

    private static final int INITIAL_CAPACITY = 1 << 12;
    private static final long FREED = -2;

    private final String traceName;
    private String description = "";
    private long lineNumber;
    private String line;

    private byte[] operations = new byte[INITIAL_CAPACITY];
    private int[] blockIds = new int[INITIAL_CAPACITY];
    private long[] byteSizes = new long[INITIAL_CAPACITY];
    private long[] byteAlignments = new long[INITIAL_CAPACITY];
    private int operationCount;

    /** {@code liveSizes[id]}: the live block's size, {@link #FREED} after its free; unused from {@code blockCount}. */
    private long[] liveSizes = new long[INITIAL_CAPACITY];
    /** {@code alignments[id]}: the alignment block {@code id} was allocated with. */
    private long[] alignments = new long[INITIAL_CAPACITY];
    private int blockCount;
    private long liveBytes;
    private long peakLiveBytes;

    private TraceParser(final String traceName) {
        this.traceName = traceName;
    }

    /**
     * Parses a whole trace.
     *
     * @param traceName the name the trace is known by (in messages and reports)
     * @param text      the trace's text (already decompressed)
     * @return the trace
     * @throws MalformedTraceException at the first line that breaks the format
     * @throws IOException             if reading fails
     */
    public static Trace parse(final String traceName, final Reader text) throws IOException {
        final TraceParser parser = new TraceParser(traceName);
        final BufferedReader lines = text instanceof BufferedReader buffered ? buffered : new BufferedReader(text);
        for (String next = lines.readLine(); next != null; next = lines.readLine()) {
            parser.parseLine(next);
        }
        return parser.finish();
    }

    private void parseLine(final String text) {
        lineNumber++;
        line = text;
        if (text.isEmpty()) {
            throw malformed("empty line");
        }
        if (text.charAt(0) == '#') {
            if (description.isEmpty() && operationCount == 0) {
                description = text.substring(1).strip();
            }
            return;
        }
        final String[] fields = text.split(" ", -1);
        for (final String field : fields) {
            if (field.isEmpty()) {
                throw malformed("empty field (fields are separated by one space)");
            }
        }
        switch (fields[0]) {
            case "a" -> parseAllocate(fields);
            case "f" -> parseFree(fields);
            case "r" -> parseReallocate(fields);
            default -> throw malformed("unknown operation: op=" + fields[0]);
        }
    }

    private void parseAllocate(final String[] fields) {
        expectFields(fields, 4);
        final long id = number(fields[1], "id");
        final long byteSize = number(fields[2], "size");
        final long byteAlignment = number(fields[3], "align");
        if (id < blockCount) {
            throw malformed("id is reused: id=" + id);
        }
        if (id > blockCount) {
            throw malformed("id skips ahead (ids are dense): id=" + id + ", expected=" + blockCount);
        }
        if (blockCount == MAX_BLOCKS) {
            throw malformed("too many blocks: max=" + MAX_BLOCKS);
        }
        checkSize(byteSize);
        if (!BitUtil.isPowerOfTwo(byteAlignment)) {
            throw malformed("alignment is not a power of two: align=" + byteAlignment);
        }
        if (byteAlignment < MIN_ALIGNMENT || byteAlignment > MAX_ALIGNMENT) {
            throw malformed("alignment is out of range: align=" + byteAlignment + ", min=" + MIN_ALIGNMENT
                + ", max=" + MAX_ALIGNMENT);
        }
        final int blockId = blockCount++;
        growBlocks(blockCount);
        liveSizes[blockId] = byteSize;
        alignments[blockId] = byteAlignment;
        changeLiveBytes(byteSize);
        append(Trace.ALLOCATE, blockId, byteSize, byteAlignment);
    }

    private void parseFree(final String[] fields) {
        expectFields(fields, 2);
        final int blockId = liveBlock(number(fields[1], "id"), "free");
        changeLiveBytes(-liveSizes[blockId]);
        liveSizes[blockId] = FREED;
        append(Trace.FREE, blockId, 0, 0);
    }

    private void parseReallocate(final String[] fields) {
        expectFields(fields, 3);
        final long id = number(fields[1], "id");
        final long byteSize = number(fields[2], "size");
        final int blockId = liveBlock(id, "reallocation");
        checkSize(byteSize);
        changeLiveBytes(byteSize - liveSizes[blockId]);
        liveSizes[blockId] = byteSize;
        append(Trace.REALLOCATE, blockId, byteSize, alignments[blockId]);
    }

    private void expectFields(final String[] fields, final int expected) {
        if (fields.length != expected) {
            throw malformed("wrong number of fields for '" + fields[0] + "': expected=" + expected + ", found="
                + fields.length);
        }
    }

    /** @return the field as an unsigned decimal of at most 18 digits, which cannot overflow a {@code long} */
    private long number(final String field, final String fieldName) {
        if (field.length() > 18) {
            throw malformed("number is too large: field=" + fieldName + ", value=" + field);
        }
        long value = 0;
        for (int index = 0; index < field.length(); index++) {
            final char digit = field.charAt(index);
            if (digit < '0' || digit > '9') {
                throw malformed("not an unsigned decimal number: field=" + fieldName + ", value=" + field);
            }
            value = value * 10 + (digit - '0');
        }
        return value;
    }

    private int liveBlock(final long id, final String operation) {
        if (id >= blockCount) {
            throw malformed(operation + " of a block never allocated: id=" + id);
        }
        final int blockId = (int) id;
        if (liveSizes[blockId] == FREED) {
            throw malformed(operation + " of a block already freed: id=" + id);
        }
        return blockId;
    }

    private void checkSize(final long byteSize) {
        if (byteSize > MAX_BYTE_SIZE) {
            throw malformed("size is too large: size=" + byteSize + ", max=" + MAX_BYTE_SIZE);
        }
    }

    private void changeLiveBytes(final long delta) {
        liveBytes += delta;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
    }

    private void append(final byte operation, final int blockId, final long byteSize, final long byteAlignment) {
        if (operationCount == operations.length) {
            final int capacity = operations.length * 2;
            operations = Arrays.copyOf(operations, capacity);
            blockIds = Arrays.copyOf(blockIds, capacity);
            byteSizes = Arrays.copyOf(byteSizes, capacity);
            byteAlignments = Arrays.copyOf(byteAlignments, capacity);
        }
        operations[operationCount] = operation;
        blockIds[operationCount] = blockId;
        byteSizes[operationCount] = byteSize;
        byteAlignments[operationCount] = byteAlignment;
        operationCount++;
    }

    private void growBlocks(final int blocks) {
        if (blocks > liveSizes.length) {
            final int capacity = (int) Math.min((long) liveSizes.length * 2, MAX_BLOCKS);
            liveSizes = Arrays.copyOf(liveSizes, capacity);
            alignments = Arrays.copyOf(alignments, capacity);
        }
    }

    private Trace finish() {
        return new Trace(traceName, description, Arrays.copyOf(operations, operationCount),
            Arrays.copyOf(blockIds, operationCount), Arrays.copyOf(byteSizes, operationCount),
            Arrays.copyOf(byteAlignments, operationCount), blockCount, peakLiveBytes);
    }

    private MalformedTraceException malformed(final String reason) {
        return new MalformedTraceException(traceName, lineNumber, reason, line);
    }
}
