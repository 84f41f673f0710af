package dev.ffmalloc.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small reader of JSON text (RFC 8259), enough for JMH's result files: objects become {@code LinkedHashMap}s (key
 * order kept), arrays {@code ArrayList}s, numbers {@code Double}s, and {@code true}/{@code false}/{@code null} their
 * Java values. Errors name the character offset and what was expected.
 */
public final class Json {

    private final String text;
    private int offset;

    private Json(final String text) {
        this.text = text;
    }

    /**
     * @return the value the whole text holds
     * @throws IllegalArgumentException if the text is not one JSON value
     */
    public static Object parse(final String text) {
        final Json reader = new Json(text);
        final Object value = reader.value();
        reader.skipWhitespace();
        if (reader.offset != text.length()) {
            throw reader.malformed("end of text");
        }
        return value;
    }

    /**
     * @return {@code value} as a number: a JSON number, or JMH's strings {@code "NaN"}, {@code "Infinity"},
     *         {@code "-Infinity"}
     * @throws IllegalArgumentException if it is neither
     */
    public static double number(final Object value) {
        if (value instanceof Double number) {
            return number;
        }
        if (value instanceof String word) {
            switch (word) {
                case "NaN" -> {
                    return Double.NaN;
                }
                case "Infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-Infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> {
                    // falls through to the error below
                }
            }
        }
        throw new IllegalArgumentException("JSON value is not a number: value=" + value);
    }

    private Object value() {
        skipWhitespace();
        if (offset >= text.length()) {
            throw malformed("a value");
        }
        final char first = text.charAt(offset);
        return switch (first) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> numberValue();
        };
    }

    private Map<String, Object> object() {
        final Map<String, Object> members = new LinkedHashMap<>();
        offset++;
        skipWhitespace();
        if (peek('}')) {
            offset++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (!peek('"')) {
                throw malformed("a member name in quotes");
            }
            final String name = string();
            skipWhitespace();
            expect(':');
            members.put(name, value());
            skipWhitespace();
            if (peek(',')) {
                offset++;
            } else {
                expect('}');
                return members;
            }
        }
    }

    private List<Object> array() {
        final List<Object> elements = new ArrayList<>();
        offset++;
        skipWhitespace();
        if (peek(']')) {
            offset++;
            return elements;
        }
        while (true) {
            elements.add(value());
            skipWhitespace();
            if (peek(',')) {
                offset++;
            } else {
                expect(']');
                return elements;
            }
        }
    }

    private String string() {
        offset++;
        final StringBuilder chars = new StringBuilder();
        while (offset < text.length()) {
            final char next = text.charAt(offset++);
            if (next == '"') {
                return chars.toString();
            }
            if (next != '\\') {
                chars.append(next);
                continue;
            }
            if (offset >= text.length()) {
                break;
            }
            final char escaped = text.charAt(offset++);
            switch (escaped) {
                case '"', '\\', '/' -> chars.append(escaped);
                case 'b' -> chars.append('\b');
                case 'f' -> chars.append('\f');
                case 'n' -> chars.append('\n');
                case 'r' -> chars.append('\r');
                case 't' -> chars.append('\t');
                case 'u' -> {
                    if (offset + 4 > text.length()) {
                        throw malformed("four hex digits after \\u");
                    }
                    try {
                        chars.append((char) Integer.parseInt(text.substring(offset, offset + 4), 16));
                    } catch (final NumberFormatException notHex) {
                        throw malformed("four hex digits after \\u");
                    }
                    offset += 4;
                }
                default -> throw malformed("an escape character");
            }
        }
        throw malformed("a closing quote");
    }

    private Object literal(final String word, final Object value) {
        if (!text.startsWith(word, offset)) {
            throw malformed("'" + word + "'");
        }
        offset += word.length();
        return value;
    }

    private Double numberValue() {
        final int start = offset;
        while (offset < text.length() && "+-0123456789.eE".indexOf(text.charAt(offset)) >= 0) {
            offset++;
        }
        if (start == offset) {
            throw malformed("a value");
        }
        try {
            return Double.valueOf(text.substring(start, offset));
        } catch (final NumberFormatException notNumber) {
            offset = start;
            throw malformed("a number");
        }
    }

    private void skipWhitespace() {
        while (offset < text.length() && " \t\r\n".indexOf(text.charAt(offset)) >= 0) {
            offset++;
        }
    }

    private boolean peek(final char expected) {
        return offset < text.length() && text.charAt(offset) == expected;
    }

    private void expect(final char expected) {
        if (!peek(expected)) {
            throw malformed("'" + expected + "'");
        }
        offset++;
    }

    private IllegalArgumentException malformed(final String expected) {
        return new IllegalArgumentException("malformed JSON: offset=" + offset + ", expected=" + expected);
    }
}
