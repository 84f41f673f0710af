package dev.ffmalloc.x86sim.firmware;

/**
 * The kinds of entry in the firmware memory map, after Linux's {@code asm/e820/types.h}.
 *
 * <p>Only {@link #USABLE} is RAM the kernel may allocate from. Every other kind, including type numbers Linux does
 * not know ({@link #OTHER}), is treated as non-RAM, as Linux does.
 */
public enum E820Type {

    /** Type 1: RAM free for the operating system. */
    USABLE(1, "usable"),
    /** Type 2: reserved by firmware or the chipset. */
    RESERVED(2, "reserved"),
    /** Type 3: ACPI tables; reclaimable once parsed, never allocated from here. */
    ACPI_DATA(3, "ACPI data"),
    /** Type 4: ACPI non-volatile storage, preserved across sleep. */
    ACPI_NVS(4, "ACPI NVS"),
    /** Type 5: RAM the firmware found bad. */
    UNUSABLE(5, "unusable"),
    /** Type 7 (and the legacy type 12): persistent memory, printed as {@code persistent (type N)}. */
    PERSISTENT(7, "persistent"),
    /** Type 0xefffffff: EFI "specific purpose" memory. */
    SOFT_RESERVED(0xefffffff, "soft reserved"),
    /** Any other type number, printed as {@code type N} and never RAM; {@link #number()} is 0. */
    OTHER(0, "type");

    private final int number;
    private final String word;

    E820Type(final int number, final String word) {
        this.number = number;
        this.word = word;
    }

    /** @return the type number entries of this kind get by default (7 for persistent, 0 for {@link #OTHER}) */
    public int number() {
        return number;
    }

    /** @return the kind of entry with type number {@code typeNumber} (unsigned 32-bit) */
    public static E820Type ofNumber(final int typeNumber) {
        return switch (typeNumber) {
            case 1 -> USABLE;
            case 2 -> RESERVED;
            case 3 -> ACPI_DATA;
            case 4 -> ACPI_NVS;
            case 5 -> UNUSABLE;
            case 7, 12 -> PERSISTENT;
            case 0xefffffff -> SOFT_RESERVED;
            default -> OTHER;
        };
    }

    /** @return how Linux's {@code e820_print_type} prints an entry of this kind with type number {@code typeNumber} */
    public String describe(final int typeNumber) {
        return switch (this) {
            case PERSISTENT -> word + " (type " + Integer.toUnsignedString(typeNumber) + ")";
            case OTHER -> word + " " + Integer.toUnsignedString(typeNumber);
            default -> word;
        };
    }

    /** @return the kind Linux prints as exactly {@code word} ({@code usable}, {@code ACPI NVS}, ...), or null */
    static E820Type ofPlainWord(final String word) {
        for (final E820Type type : values()) {
            if (type != PERSISTENT && type != OTHER && type.word.equals(word)) {
                return type;
            }
        }
        return null;
    }
}
