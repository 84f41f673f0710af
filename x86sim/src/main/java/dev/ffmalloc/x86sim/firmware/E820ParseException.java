package dev.ffmalloc.x86sim.firmware;

/**
 * Thrown when a memory map given as text cannot be read: the message names the line and the reason.
 */
public final class E820ParseException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int lineNumber;

    /**
     * @param reason     what is wrong, lower-case
     * @param lineNumber the line it is wrong on, from 1
     * @param detail     {@code name=value} pairs, or empty
     */
    E820ParseException(final String reason, final int lineNumber, final String detail) {
        super(reason + ": line=" + lineNumber + (detail.isEmpty() ? "" : ", " + detail));
        this.lineNumber = lineNumber;
    }

    /** @return the line the error is on, from 1 */
    public int lineNumber() {
        return lineNumber;
    }
}
