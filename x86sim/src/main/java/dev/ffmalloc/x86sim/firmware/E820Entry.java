package dev.ffmalloc.x86sim.firmware;

import dev.ffmalloc.x86sim.phys.PhysRange;

/**
 * One entry of the firmware memory map: a byte-granular physical range and its E820 type number.
 *
 * <p>The type number is kept as given, so an entry of a type Linux does not know ({@code type 20}) prints back as it
 * was read; {@link #type()} says what it means.
 *
 * @param range      the physical range, byte-granular (firmware ranges are often not page-aligned)
 * @param typeNumber the E820 type number, unsigned 32-bit
 */
public record E820Entry(PhysRange range, int typeNumber) {

    /** @return an entry for {@code [startAddr, startAddr + byteSize)} of {@code type} (not {@link E820Type#OTHER}) */
    public static E820Entry of(final long startAddr, final long byteSize, final E820Type type) {
        if (type == E820Type.OTHER) {
            throw new IllegalArgumentException("type has no number of its own, give the number: type=" + type);
        }
        return new E820Entry(PhysRange.ofSize(startAddr, byteSize), type.number());
    }

    /** @return what the entry's type number means */
    public E820Type type() {
        return E820Type.ofNumber(typeNumber);
    }

    /** @return whether the entry is RAM the kernel may use */
    public boolean isUsable() {
        return typeNumber == E820Type.USABLE.number();
    }

    /** @return the entry as Linux prints it at boot, e.g. {@code BIOS-e820: [mem 0x0-0x9fbff] usable} */
    @Override
    public String toString() {
        return "BIOS-e820: " + range + " " + type().describe(typeNumber);
    }
}
