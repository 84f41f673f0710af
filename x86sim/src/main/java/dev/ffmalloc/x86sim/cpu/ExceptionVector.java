package dev.ffmalloc.x86sim.cpu;

/** The interrupt vectors of the faults the paging unit raises. */
public final class ExceptionVector {

    /** #GP, general protection: here, a non-canonical linear address. Pushes error code 0 and leaves CR2 alone. */
    public static final int GENERAL_PROTECTION = 13;

    /** #PF, page fault: no translation, a reserved bit, or rights that forbid the access. Sets CR2. */
    public static final int PAGE_FAULT = 14;

    private ExceptionVector() {
    }

    /** @return the mnemonic of {@code vector}, e.g. {@code "#PF"} */
    public static String mnemonic(final int vector) {
        return switch (vector) {
            case GENERAL_PROTECTION -> "#GP";
            case PAGE_FAULT -> "#PF";
            default -> "vector " + vector;
        };
    }
}
