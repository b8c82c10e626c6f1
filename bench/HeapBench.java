// A Java heap of known shape for bench/top_vs_visualvm.sh: it builds the
// heap, then dumps itself with HotSpotDiagnosticMXBean.dumpHeap (live
// objects only, so a full GC runs first).
//
// usage: java HeapBench OUT.hprof [SCALE]
//
// At SCALE 1 (3.9M objects with the JDK's own, a dump of 166 MB):
//   - a cache that is never evicted: a static HashMap of 300,000 entries,
//     key a String ("user:N"), value a Session holding a String name, a
//     long and an int[4]: 7 objects an entry (node, key and its byte[],
//     session, name and its byte[], int[]);
//   - 400,000 pairs in cycles (Pair a.other = b, b.other = a), each pair
//     held by an ArrayList that a local variable of main keeps (a Java
//     frame root);
//   - a chain of 1,000,000 links (Link.next), its head in a static field.
// The biggest retainer is the application class loader (its list of
// classes holds class HeapBench$Cache, whose static field MAP is the
// cache), then that list, the cache's map and table; then the chain's
// first links (each retains the rest of the chain).
// SCALE multiplies every count (SCALE 6.2: 24.2M objects, 1.02 GB).
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.HashMap;

public class HeapBench {
    static final class Session {
        final String name;
        final long since;
        final int[] counts = new int[4];

        Session(String name, long since) {
            this.name = name;
            this.since = since;
        }
    }

    static final class Pair {
        Pair other;
        final int id;

        Pair(int id) {
            this.id = id;
        }
    }

    static final class Link {
        final Link next;
        final long n;

        Link(Link next, long n) {
            this.next = next;
            this.n = n;
        }
    }

    static final class Cache {
        static final HashMap<String, Session> MAP = new HashMap<>();
    }

    static final class Chain {
        static Link head;
    }

    public static void main(String[] args) throws Exception {
        String out = args[0];
        double scale = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        int entries = (int) (300_000 * scale);
        int pairs = (int) (400_000 * scale);
        int links = (int) (1_000_000 * scale);

        for (int i = 0; i < entries; i++)
            Cache.MAP.put("user:" + i, new Session("session of user " + i, 1_700_000_000L + i));
        ArrayList<Pair> held = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            Pair a = new Pair(2 * i), b = new Pair(2 * i + 1);
            a.other = b;
            b.other = a;
            held.add(a);
        }
        Link head = null;
        for (int i = 0; i < links; i++)
            head = new Link(head, i);
        Chain.head = head;

        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        bean.dumpHeap(out, true);
        Reference.reachabilityFence(held);
        System.out.printf("HeapBench: %d cache entries, %d pairs, %d links: %s%n", entries, pairs, links,
                out);
    }
}
