package dev.ffmalloc.x86sim.cpu;

/**
 * The error code a #PF pushes (SDM vol. 3A §4.7), built in {@link #of} and nowhere else.
 *
 * <pre>
 *  31        5   4    3    2    1   0
 * +-----------+-----+----+---+---+---+
 * |  (zero)   | I/D |RSVD|U/S|W/R| P |
 * +-----------+-----+----+---+---+---+
 * </pre>
 * Relations: RSVD implies P (reserved bits are checked only in present entries); W/R and U/S describe the access,
 * not the page; I/D is set for an instruction fetch only when CR4.SMEP or EFER.NXE is set.
 */
public final class PageFaultErrorCode {

    /** P: 0 = a non-present entry on the path, 1 = a protection or reserved-bit violation. */
    public static final int PRESENT = 1;
    /** W/R: the access was a write. */
    public static final int WRITE = 1 << 1;
    /** U/S: the access was a user-mode access. */
    public static final int USER = 1 << 2;
    /** RSVD: a reserved bit was set in an entry on the path. */
    public static final int RESERVED = 1 << 3;
    /** I/D: the access was an instruction fetch (with SMEP or NXE enabled). */
    public static final int INSTRUCTION = 1 << 4;

    private PageFaultErrorCode() {
    }

    /**
     * @param present  whether the walk found a translation (P=1): true for protection and reserved-bit faults
     * @param reserved whether a reserved bit caused the fault
     * @return the error code of a #PF for an access of {@code kind} by {@code user}, under {@code registers}
     */
    public static int of(final boolean present, final boolean reserved, final AccessKind kind, final boolean user,
                         final ControlRegisters registers) {
        int errorCode = present ? PRESENT : 0;
        errorCode |= kind == AccessKind.WRITE ? WRITE : 0;
        errorCode |= user ? USER : 0;
        errorCode |= reserved ? RESERVED : 0;
        if (kind == AccessKind.EXECUTE && (registers.smep() || registers.nxe())) {
            errorCode |= INSTRUCTION;
        }
        return errorCode;
    }

    /** @return the bits of {@code errorCode} in words, e.g. {@code "protection violation, user write"} */
    public static String describe(final int errorCode) {
        final String cause = (errorCode & RESERVED) != 0 ? "reserved bit set"
            : (errorCode & PRESENT) != 0 ? "protection violation" : "not present";
        final String mode = (errorCode & USER) != 0 ? "user" : "supervisor";
        final String access = (errorCode & INSTRUCTION) != 0 ? "fetch" : (errorCode & WRITE) != 0 ? "write" : "read";
        return cause + ", " + mode + " " + access;
    }
}
