package dev.ffmalloc.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a JMH JSON result file: a benchmark method with one set of parameters.
 *
 * @param benchmark  the fully qualified method, e.g. {@code dev.ffmalloc.bench.ChurnBenchmark.step}
 * @param mode       JMH's mode ({@code avgt}, {@code thrpt}, ...)
 * @param threads    worker threads
 * @param params     the parameters, in file order
 * @param score      the primary score
 * @param scoreError the half-width of its 99.9% interval ({@code NaN} with a single measurement)
 * @param scoreUnit  the primary score's unit ({@code ns/op}, {@code us/op}, {@code ops/us}, ...)
 * @param secondary  the secondary scores by label (JMH's leading {@code "·"} removed): {@code gc.alloc.rate.norm},
 *                   {@code replay.footprintRatio}, ...
 * @param jvm        the JVM, its version and name, e.g. {@code 25.0.3 OpenJDK 64-Bit Server VM 25.0.3+9-LTS}
 * @param runShape   forks, warm-up and measurement of the run, e.g. {@code 1 fork, 3 x 1 s warm-up, 4 x 1 s}
 * @param measurementNanos the length of one measurement iteration, or -1 if the file does not say
 */
public record BenchmarkResult(String benchmark, String mode, int threads, Map<String, String> params, double score,
                              double scoreError, String scoreUnit, Map<String, Double> secondary, String jvm,
                              String runShape, long measurementNanos) {

    /** @return the simple class name, e.g. {@code ChurnBenchmark} */
    public String className() {
        final String qualifiedClass = benchmark.substring(0, benchmark.lastIndexOf('.'));
        return qualifiedClass.substring(qualifiedClass.lastIndexOf('.') + 1);
    }

    /** @return the package, e.g. {@code dev.ffmalloc.bench} */
    public String packageName() {
        final String qualifiedClass = benchmark.substring(0, benchmark.lastIndexOf('.'));
        return qualifiedClass.substring(0, Math.max(0, qualifiedClass.lastIndexOf('.')));
    }

    /** @return the method name, e.g. {@code step} */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** @return parameter {@code name}, or null */
    public String param(final String name) {
        return params.get(name);
    }

    /** @return secondary score {@code label}, or {@code NaN} if absent */
    public double secondary(final String label) {
        final Double value = secondary.get(label);
        return value == null ? Double.NaN : value;
    }

    /** @return Java heap bytes allocated per operation ({@code gc.alloc.rate.norm}), or {@code NaN} */
    public double bytesPerOperation() {
        return secondary("gc.alloc.rate.norm");
    }

    /**
     * Reads every entry of a JMH JSON result file.
     *
     * @throws IllegalArgumentException if the text is not a JMH result file
     */
    public static List<BenchmarkResult> readAll(final String jsonText) {
        if (!(Json.parse(jsonText) instanceof List<?> entries)) {
            throw new IllegalArgumentException("JMH result file is not a JSON array");
        }
        final List<BenchmarkResult> results = new ArrayList<>();
        for (final Object entry : entries) {
            results.add(of(asObject(entry, "benchmark entry")));
        }
        return results;
    }

    private static BenchmarkResult of(final Map<String, Object> entry) {
        final Map<String, String> params = new LinkedHashMap<>();
        if (entry.get("params") instanceof Map<?, ?> rawParams) {
            rawParams.forEach((name, value) -> params.put(String.valueOf(name), String.valueOf(value)));
        }
        final Map<String, Object> primary = asObject(entry.get("primaryMetric"), "primaryMetric");
        final Map<String, Double> secondary = new LinkedHashMap<>();
        if (entry.get("secondaryMetrics") instanceof Map<?, ?> rawSecondary) {
            rawSecondary.forEach((label, metric) -> secondary.put(String.valueOf(label).replace("\u00b7", ""),
                Json.number(asObject(metric, "secondary metric").get("score"))));
        }
        final String jvm = entry.get("jdkVersion") + " " + entry.get("vmName") + " " + entry.get("vmVersion");
        final String runShape = (int) Json.number(entry.get("forks")) + " fork(s), "
            + (int) Json.number(entry.get("warmupIterations")) + " x " + entry.get("warmupTime") + " warm-up, "
            + (int) Json.number(entry.get("measurementIterations")) + " x " + entry.get("measurementTime")
            + " measured";
        final String benchmark = String.valueOf(required(entry, "benchmark"));
        if (benchmark.indexOf('.') <= 0 || benchmark.lastIndexOf('.') == benchmark.length() - 1) {
            throw new IllegalArgumentException("JMH result entry names no class and method: benchmark=" + benchmark);
        }
        return new BenchmarkResult(benchmark, String.valueOf(entry.get("mode")),
            (int) Json.number(entry.get("threads")), params, Json.number(primary.get("score")),
            Json.number(primary.get("scoreError")), String.valueOf(primary.get("scoreUnit")), secondary, jvm,
            runShape, nanos(String.valueOf(entry.get("measurementTime"))));
    }

    /**
     * @return JMH's time value ({@code "1 s"}, {@code "200 ms"}, ... {@code "1 day"}) in nanoseconds, or -1 if it has
     *         none or is not in that form (a missing figure is not zero)
     */
    static long nanos(final String timeValue) {
        final String[] parts = timeValue.strip().split(" ");
        if (parts.length != 2) {
            return -1;
        }
        final long amount;
        try {
            amount = Long.parseLong(parts[0]);
        } catch (final NumberFormatException notANumber) {
            return -1;
        }
        final long unitNanos = switch (parts[1]) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "min" -> 60_000_000_000L;
            case "hr" -> 3_600_000_000_000L;
            case "day" -> 86_400_000_000_000L;
            default -> -1;
        };
        return unitNanos < 0 || amount < 0 || amount > Long.MAX_VALUE / unitNanos ? -1 : amount * unitNanos;
    }

    /** @return field {@code name} of {@code entry} */
    private static Object required(final Map<String, Object> entry, final String name) {
        final Object value = entry.get(name);
        if (value == null) {
            throw new IllegalArgumentException("JMH result entry lacks a field: field=" + name);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(final Object value, final String what) {
        if (value instanceof Map<?, ?>) {
            return (Map<String, Object>) value;
        }
        throw new IllegalArgumentException("JMH result file has no object where expected: field=" + what);
    }
}
