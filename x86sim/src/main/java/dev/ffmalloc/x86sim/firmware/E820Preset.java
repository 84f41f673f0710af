package dev.ffmalloc.x86sim.firmware;

import java.util.ArrayList;
import java.util.List;

/**
 * Ready-made memory maps, written as the dmesg lines a booting Linux would print for them. Each keeps RAM modest (a
 * few hundred MiB) so a machine built from it runs anywhere.
 */
public enum E820Preset {

    /**
     * A 128 MiB QEMU-like VM (i440FX, SeaBIOS): 639 KiB of low RAM, the EBDA, the VGA/option-ROM hole and the BIOS at
     * 0xF0000, RAM from 1 MiB up to the firmware tables under 128 MiB, then QEMU's reservation and the BIOS flash
     * under 4 GiB. Usable: 2 spans.
     */
    SMALL_VM("small-vm", """
        BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
        BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
        BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
        BIOS-e820: [mem 0x0000000000100000-0x0000000007fdffff] usable
        BIOS-e820: [mem 0x0000000007fe0000-0x0000000007ffffff] reserved
        BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved
        BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
        """),

    /**
     * A 384 MiB VM with memory above 4 GiB: the small VM's low layout, then the PCI hole from 128 MiB to 4 GiB
     * (absent from the map, apart from QEMU's reservation and the BIOS flash) and 256 MiB of RAM from 4 GiB. The low
     * split is scaled down from QEMU's real 2 or 3 GiB to keep RAM modest. Usable: 3 spans.
     */
    HIGHMEM_VM("highmem-vm", """
        BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
        BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
        BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
        BIOS-e820: [mem 0x0000000000100000-0x0000000007fdbfff] usable
        BIOS-e820: [mem 0x0000000007fdc000-0x0000000007ffffff] reserved
        BIOS-e820: [mem 0x00000000b0000000-0x00000000bfffffff] reserved
        BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved
        BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
        BIOS-e820: [mem 0x0000000100000000-0x000000010fffffff] usable
        """),

    /**
     * Seed 002's untidy firmware: 13 usable spans (about 362 MiB) scattered over a 64 GiB physical address space,
     * with page 0 as ACPI NVS, byte-granular ends, bad RAM, ACPI tables, persistent memory, an unknown type 20,
     * spans that share a 128 MiB section and one that straddles a section boundary.
     */
    FRAGMENTED("fragmented", """
        BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] ACPI NVS
        BIOS-e820: [mem 0x0000000000001000-0x0000000000057fff] usable
        BIOS-e820: [mem 0x0000000000058000-0x00000000000587ff] reserved
        BIOS-e820: [mem 0x0000000000058800-0x000000000009efff] usable
        BIOS-e820: [mem 0x000000000009f000-0x00000000000fffff] reserved
        BIOS-e820: [mem 0x0000000000100000-0x0000000003ffffff] usable
        BIOS-e820: [mem 0x0000000004000000-0x00000000041fffff] reserved
        BIOS-e820: [mem 0x0000000004200000-0x0000000005a3efff] usable
        BIOS-e820: [mem 0x0000000005a3f000-0x0000000005a8efff] ACPI NVS
        BIOS-e820: [mem 0x0000000005a8f000-0x0000000005a9efff] ACPI data
        BIOS-e820: [mem 0x0000000005a9f000-0x0000000007ffffff] usable
        BIOS-e820: [mem 0x0000000008000000-0x00000000087fffff] unusable
        BIOS-e820: [mem 0x0000000008800000-0x0000000008ffffff] usable
        BIOS-e820: [mem 0x0000000040000000-0x0000000043ffffff] usable
        BIOS-e820: [mem 0x0000000047a00000-0x0000000047bfffff] usable
        BIOS-e820: [mem 0x00000000e0000000-0x00000000efffffff] reserved
        BIOS-e820: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
        BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff] type 20
        BIOS-e820: [mem 0x00000000fee00000-0x00000000fee00fff] reserved
        BIOS-e820: [mem 0x00000000ffb80000-0x00000000ffffffff] reserved
        BIOS-e820: [mem 0x0000000100000000-0x0000000103ffffff] usable
        BIOS-e820: [mem 0x0000000104100000-0x00000001043fffff] usable
        BIOS-e820: [mem 0x0000000300000000-0x0000000301ffffff] persistent (type 7)
        BIOS-e820: [mem 0x0000000400000000-0x0000000403ffebff] usable
        BIOS-e820: [mem 0x00000008ffe00000-0x0000000900dfffff] usable
        BIOS-e820: [mem 0x0000000fff000000-0x0000000fffffffff] usable
        """);

    private final String presetName;
    private final String dmesg;

    E820Preset(final String presetName, final String dmesg) {
        this.presetName = presetName;
        this.dmesg = dmesg;
    }

    /** @return the name {@code --preset} takes */
    public String presetName() {
        return presetName;
    }

    /** @return the map as the dmesg lines Linux would print */
    public String dmesg() {
        return dmesg;
    }

    /** @return the map */
    public E820Map map() {
        return E820Parser.parse(dmesg);
    }

    /**
     * @return the preset called {@code presetName}
     * @throws IllegalArgumentException naming the known presets if there is none of that name
     */
    public static E820Preset byName(final String presetName) {
        final List<String> known = new ArrayList<>();
        for (final E820Preset preset : values()) {
            if (preset.presetName.equals(presetName)) {
                return preset;
            }
            known.add(preset.presetName);
        }
        throw new IllegalArgumentException("unknown memory map preset: name=" + presetName + ", known="
            + String.join(",", known));
    }
}
