package dev.ffmalloc.bench.trace;

/**
 * A trace line that does not follow TRACES.md. The message names the trace, the 1-based line number, the reason and
 * the line itself, e.g. {@code malformed trace line: trace=t, line=3, reason=free of a block that is not live:
 * id=7, text="f 7"}.
 */
public final class MalformedTraceException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final long lineNumber;

    MalformedTraceException(final String traceName, final long lineNumber, final String reason, final String text) {
        super("malformed trace line: trace=" + traceName + ", line=" + lineNumber + ", reason=" + reason
            + ", text=\"" + text + "\"");
        this.lineNumber = lineNumber;
    }

    /** @return the 1-based number of the offending line */
    public long lineNumber() {
        return lineNumber;
    }
}
