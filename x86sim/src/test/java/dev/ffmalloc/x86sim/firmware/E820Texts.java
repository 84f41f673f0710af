package dev.ffmalloc.x86sim.firmware;

/**
 * Realistic boot logs for the tests, each with the dmesg noise around its map. The machines are sized so a test
 * backs at most 512 MiB of RAM.
 */
public final class E820Texts {

    private E820Texts() {
    }

    /**
     * QEMU i440FX with SeaBIOS, {@code -machine pc,max-ram-below-4g=256M -m 512M}: RAM below the split, the PCI hole,
     * and the other 256 MiB from 4 GiB. Usable frames: 159 + 65244 + 65536.
     */
    public static final String QEMU_I440FX_ABOVE_4G = """
        [    0.000000] Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) (x86_64-linux-gnu-gcc-13)
        [    0.000000] Command line: BOOT_IMAGE=/vmlinuz-6.8.0-45-generic root=/dev/vda1 ro console=ttyS0
        [    0.000000] BIOS-provided physical RAM map:
        [    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
        [    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
        [    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000000ffdbfff] usable
        [    0.000000] BIOS-e820: [mem 0x000000000ffdc000-0x000000000fffffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
        [    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000010fffffff] usable
        [    0.000000] NX (Execute Disable) protection: active
        [    0.000000] SMBIOS 2.8 present.
        [    0.000000] DMI: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3-debian-1.16.3-2 04/01/2014
        [    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved
        [    0.000000] e820: remove [mem 0x000a0000-0x000fffff] usable
        [    0.000000] last_pfn = 0x110000 max_arch_pfn = 0x400000000
        """;

    /** The real 5 GiB i440FX guest: 3 GiB below the PCI hole, 2 GiB above 4 GiB (parsed, never backed). */
    public static final String QEMU_I440FX_5G = """
        BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
        BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
        BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
        BIOS-e820: [mem 0x0000000000100000-0x00000000bffdbfff] usable
        BIOS-e820: [mem 0x00000000bffdc000-0x00000000bfffffff] reserved
        BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved
        BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
        BIOS-e820: [mem 0x0000000100000000-0x000000023fffffff] usable
        """;

    /**
     * QEMU Q35 with SeaBIOS, {@code -m 256M}: the MMCONFIG window at 0xB0000000 and the ICH9 root complex register
     * block. Usable frames: 159 + 65240.
     */
    public static final String QEMU_Q35 = """
        [    0.000000] BIOS-provided physical RAM map:
        [    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
        [    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
        [    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000000ffd7fff] usable
        [    0.000000] BIOS-e820: [mem 0x000000000ffd8000-0x000000000fffffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000b0000000-0x00000000bfffffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
        [    0.000000] NX (Execute Disable) protection: active
        [    0.000000] DMI: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014
        """;

    /**
     * A laptop-like map (the shape of a Lenovo's): page 0 as ACPI NVS, interleaved usable, reserved, ACPI NVS and
     * ACPI data ranges below 256 MiB with byte-granular ends, the chipset's reservations under 4 GiB, an unknown
     * type 20, and RAM above 4 GiB. Usable: 7 spans.
     */
    public static final String LAPTOP = """
        [    0.000000] Linux version 6.1.0-26-amd64 (debian-kernel@lists.debian.org)
        [    0.000000] x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'
        [    0.000000] BIOS-provided physical RAM map:
        [    0.000000] BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] ACPI NVS
        [    0.000000] BIOS-e820: [mem 0x0000000000001000-0x000000000009d7ff] usable
        [    0.000000] BIOS-e820: [mem 0x000000000009d800-0x000000000009ffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000000e0000-0x00000000000fffff] reserved
        [    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000001ffffff] usable
        [    0.000000] BIOS-e820: [mem 0x0000000002000000-0x00000000021fffff] reserved
        [    0.000000] BIOS-e820: [mem 0x0000000002200000-0x0000000003ffffff] usable
        [    0.000000] BIOS-e820: [mem 0x0000000004000000-0x00000000041fffff] reserved
        [    0.000000] BIOS-e820: [mem 0x0000000004200000-0x0000000006c3efff] usable
        [    0.000000] BIOS-e820: [mem 0x0000000006c3f000-0x0000000006cbefff] ACPI NVS
        [    0.000000] BIOS-e820: [mem 0x0000000006cbf000-0x0000000006cfefff] ACPI data
        [    0.000000] BIOS-e820: [mem 0x0000000006cff000-0x0000000006cfffff] usable
        [    0.000000] BIOS-e820: [mem 0x0000000006d00000-0x0000000007ffffff] reserved
        [    0.000000] BIOS-e820: [mem 0x0000000008000000-0x00000000087fffff] unusable
        [    0.000000] BIOS-e820: [mem 0x0000000008800000-0x000000000ed3ffff] usable
        [    0.000000] BIOS-e820: [mem 0x00000000f0000000-0x00000000f3ffffff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000fed10000-0x00000000fed19fff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff] type 20
        [    0.000000] BIOS-e820: [mem 0x00000000fee00000-0x00000000fee00fff] reserved
        [    0.000000] BIOS-e820: [mem 0x00000000ffb80000-0x00000000ffffffff] reserved
        [    0.000000] BIOS-e820: [mem 0x0000000100000000-0x0000000107f5ffff] usable
        [    0.000000] NX (Execute Disable) protection: active
        [    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved
        """;
}
