package dev.ffmalloc.x86sim.cpu;

/**
 * The access-rights check of SDM vol. 3A §4.6, as a 48-bit table computed once per change of a control bit (KVM's
 * permission bitmap): the walk and a TLB hit both look up one bit instead of re-deriving the rules.
 *
 * <p>A translation's rights are three bits accumulated across levels: {@link #WRITE} if R/W=1 at every level,
 * {@link #USER} if U/S=1 at every level, {@link #EXECUTE} if XD=1 at no level (or EFER.NXE=0). The table has one
 * bit for every (access kind, user or supervisor, rights) triple: bit {@code (kind * 2 + user) * 8 + rights}.
 */
public final class AccessRights {

    /** The translation is writable: R/W=1 at every level. */
    public static final int WRITE = 1;
    /** The translation is a user-mode address: U/S=1 at every level. */
    public static final int USER = 1 << 1;
    /** The translation is executable: XD=0 at every level, or EFER.NXE=0. */
    public static final int EXECUTE = 1 << 2;
    /** All three rights. */
    public static final int ALL = WRITE | USER | EXECUTE;

    private AccessRights() {
    }

    /**
     * @return the permission table for CR0.WP, CR4.SMEP, CR4.SMAP and EFLAGS.AC as given (NXE is folded into the
     * rights: XD sets no restriction when NXE is clear)
     */
    public static long permissionTable(final boolean wp, final boolean smep, final boolean smap, final boolean ac) {
        long table = 0;
        for (final AccessKind kind : AccessKind.values()) {
            for (int user = 0; user < 2; user++) {
                for (int rights = 0; rights <= ALL; rights++) {
                    if (permits(kind, user == 1, rights, wp, smep, smap, ac)) {
                        table |= 1L << bitIndex(kind, user == 1, rights);
                    }
                }
            }
        }
        return table;
    }

    /** @return whether {@code table} allows an access of {@code kind} by {@code user} to a page with {@code rights} */
    public static boolean permits(final long table, final AccessKind kind, final boolean user, final int rights) {
        return (table >>> bitIndex(kind, user, rights) & 1) != 0;
    }

    private static int bitIndex(final AccessKind kind, final boolean user, final int rights) {
        return ((kind.ordinal() << 1) + (user ? 1 : 0) << 3) + rights;
    }

    /** The rules of SDM §4.6.1, written once and read only to fill the table. */
    private static boolean permits(final AccessKind kind, final boolean user, final int rights, final boolean wp,
                                   final boolean smep, final boolean smap, final boolean ac) {
        final boolean writable = (rights & WRITE) != 0;
        final boolean userPage = (rights & USER) != 0;
        final boolean executable = (rights & EXECUTE) != 0;
        if (user) {
            // A user access needs a user page; a write needs R/W whatever CR0.WP says.
            return userPage && switch (kind) {
                case READ -> true;
                case WRITE -> writable;
                case EXECUTE -> executable;
            };
        }
        return switch (kind) {
            case READ -> !(userPage && smap && !ac);
            case WRITE -> !(userPage && smap && !ac) && (writable || !wp);
            case EXECUTE -> executable && !(userPage && smep);
        };
    }
}
