package dev.ffmalloc.x86sim.firmware;

import dev.ffmalloc.x86sim.phys.PhysRange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a memory map from the text Linux prints at boot, as found in {@code dmesg} or {@code journalctl -k}:
 * <pre>
 * [    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
 * [    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
 * [    0.000000] BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff] type 20
 * </pre>
 * Every line that holds {@code BIOS-e820:} must be an entry: the range (inclusive end, as Linux prints it) and one of
 * the forms of {@link E820Type#describe}: {@code usable}, {@code reserved}, {@code ACPI data}, {@code ACPI NVS},
 * {@code unusable}, {@code soft reserved}, {@code persistent (type N)} or {@code type N}. Every other line (the rest
 * of a dmesg) is skipped. Errors name the line: {@link E820ParseException}.
 */
public final class E820Parser {

    private static final String MARKER = "BIOS-e820:";
    private static final Pattern ENTRY = Pattern.compile(
        "BIOS-e820: \\[mem 0x([0-9a-fA-F]{1,16})-0x([0-9a-fA-F]{1,16})\\] (.*?)\\s*");
    private static final Pattern PERSISTENT = Pattern.compile("persistent \\(type ([0-9]{1,10})\\)");
    private static final Pattern NUMBERED = Pattern.compile("type ([0-9]{1,10})");

    private E820Parser() {
    }

    /** An entry and the line it was read from, from 1. */
    private record Line(E820Entry entry, int lineNumber) {
    }

    /**
     * @param path a file holding a dmesg or just its {@code BIOS-e820:} lines
     * @return the map it holds
     * @throws E820ParseException if a map line is malformed, entries overlap, or there is no entry
     * @throws IOException        if the file cannot be read
     */
    public static E820Map parse(final Path path) throws IOException {
        return parse(Files.readString(path));
    }

    /**
     * @param text a dmesg, or just its {@code BIOS-e820:} lines
     * @return the map it holds
     * @throws E820ParseException if a map line is malformed, entries overlap, or there is no entry
     */
    public static E820Map parse(final String text) {
        final String[] textLines = text.split("\\R", -1);
        final List<Line> lines = new ArrayList<>();
        for (int i = 0; i < textLines.length; i++) {
            final int markerAt = textLines[i].indexOf(MARKER);
            if (markerAt >= 0) {
                lines.add(new Line(parseEntry(textLines[i].substring(markerAt), i + 1), i + 1));
            }
        }
        if (lines.isEmpty()) {
            throw new E820ParseException("no e820 entry found", textLines.length, "marker=" + MARKER);
        }
        lines.sort((a, b) -> Long.compare(a.entry.range().startAddr(), b.entry.range().startAddr()));
        final List<E820Entry> entries = new ArrayList<>();
        for (final Line line : lines) {
            entries.add(line.entry);
        }
        final int overlap = E820Map.firstOverlap(entries);
        if (overlap >= 0) {
            // Reported at the line that comes later in the text, each range beside its own line.
            final Line higher = lines.get(overlap);
            final Line lower = lines.get(overlap - 1);
            final Line reported = higher.lineNumber > lower.lineNumber ? higher : lower;
            final Line other = reported == higher ? lower : higher;
            throw new E820ParseException("e820 entries overlap", reported.lineNumber, "range="
                + reported.entry.range() + ", otherLine=" + other.lineNumber + ", otherRange=" + other.entry.range());
        }
        return E820Map.of(entries);
    }

    private static E820Entry parseEntry(final String text, final int lineNumber) {
        final Matcher matcher = ENTRY.matcher(text);
        if (!matcher.matches()) {
            throw new E820ParseException("malformed e820 line", lineNumber, "text=" + text);
        }
        final long startAddr = Long.parseUnsignedLong(matcher.group(1), 16);
        final long lastAddr = Long.parseUnsignedLong(matcher.group(2), 16);
        if (Long.compareUnsigned(lastAddr, startAddr) < 0) {
            throw new E820ParseException("e820 entry ends before it starts", lineNumber,
                "start=0x" + Long.toHexString(startAddr) + ", end=0x" + Long.toHexString(lastAddr));
        }
        if (Long.compareUnsigned(lastAddr, E820Map.PHYS_LIMIT) >= 0) {
            throw new E820ParseException("e820 entry lies beyond the physical address space", lineNumber,
                "end=0x" + Long.toHexString(lastAddr) + ", limit=0x" + Long.toHexString(E820Map.PHYS_LIMIT));
        }
        return new E820Entry(new PhysRange(startAddr, lastAddr + 1), parseType(matcher.group(3), lineNumber));
    }

    private static int parseType(final String word, final int lineNumber) {
        final E820Type plain = E820Type.ofPlainWord(word);
        if (plain != null) {
            return plain.number();
        }
        final Matcher persistent = PERSISTENT.matcher(word);
        if (persistent.matches()) {
            final int typeNumber = typeNumber(persistent, word, lineNumber);
            if (E820Type.ofNumber(typeNumber) != E820Type.PERSISTENT) {
                throw new E820ParseException("persistent memory has another type number", lineNumber,
                    "type=" + word);
            }
            return typeNumber;
        }
        final Matcher numbered = NUMBERED.matcher(word);
        if (numbered.matches()) {
            return typeNumber(numbered, word, lineNumber);
        }
        throw new E820ParseException("unknown e820 type", lineNumber, "type=" + word);
    }

    private static int typeNumber(final Matcher matcher, final String word, final int lineNumber) {
        try {
            return Integer.parseUnsignedInt(matcher.group(1));
        } catch (final NumberFormatException tooLarge) {
            throw new E820ParseException("e820 type number is not 32-bit", lineNumber, "type=" + word);
        }
    }
}
