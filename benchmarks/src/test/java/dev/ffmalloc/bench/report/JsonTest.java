package dev.ffmalloc.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class JsonTest {

    @Test
    void readsNestedObjectsArraysNumbersStringsAndLiterals() {
        final Object value = Json.parse(" { \"a\" : [1, -2.5e3, true, false, null],"
            + " \"b\": {\"c\": \"x\\\"y\\\\z\\u00b7\\n\"},"
            + " \"d\": [], \"e\": {} } ");
        final Map<?, ?> object = (Map<?, ?>) value;
        assertEquals(List.of("a", "b", "d", "e"), List.copyOf(object.keySet()), "key order is kept");
        final List<?> array = (List<?>) object.get("a");
        assertEquals(1.0, array.get(0));
        assertEquals(-2500.0, array.get(1));
        assertEquals(Boolean.TRUE, array.get(2));
        assertEquals(Boolean.FALSE, array.get(3));
        assertNull(array.get(4));
        assertEquals("x\"y\\z\u00b7\n", ((Map<?, ?>) object.get("b")).get("c"));
        assertTrue(((List<?>) object.get("d")).isEmpty());
        assertTrue(((Map<?, ?>) object.get("e")).isEmpty());
    }

    @Test
    void numberAcceptsJmhsSpelledOutNonFiniteValues() {
        assertTrue(Double.isNaN(Json.number("NaN")));
        assertEquals(Double.POSITIVE_INFINITY, Json.number("Infinity"));
        assertEquals(Double.NEGATIVE_INFINITY, Json.number("-Infinity"));
        assertEquals(3.5, Json.number(3.5));
        assertEquals("JSON value is not a number: value=abc",
            assertThrows(IllegalArgumentException.class, () -> Json.number("abc")).getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                  | malformed JSON: offset=0, expected=a value",
        "'{'                 | malformed JSON: offset=1, expected=a member name in quotes",
        "'{\"a\" 1}'         | malformed JSON: offset=5, expected=':'",
        "'[1 2]'             | malformed JSON: offset=3, expected=']'",
        "'[1,]'              | malformed JSON: offset=3, expected=a value",
        "'\"abc'             | malformed JSON: offset=4, expected=a closing quote",
        "'\"\\q\"'           | malformed JSON: offset=3, expected=an escape character",
        "'tru'               | malformed JSON: offset=0, expected='true'",
        "'1 2'               | malformed JSON: offset=2, expected=end of text",
        "'1.2.3'             | malformed JSON: offset=0, expected=a number",
    })
    void malformedTextIsRejectedWithItsOffset(final String text, final String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Json.parse(text)).getMessage());
    }
}
