// A real program's heap for bench/top_vs_visualvm.sh's second workload:
// the JDK's own compiler (javax.tools, JavacTask) parses and attributes
// Java sources and keeps its trees, symbols and types, then this process
// dumps its heap (HotSpotDiagnosticMXBean.dumpHeap, live objects).
//
// usage: java JavacHeap OUT.hprof SRCDIR [COPIES]
//   SRCDIR   a directory of .java files (the bench script unpacks java.base
//            from the Debian package openjdk-17-source's src.zip)
//   COPIES   how many compilers to run over the sources, each kept (default 1)
//
// The sources are compiled as a patch of java.base, as the JDK builds them;
// errors (there are some without the generated sources) are counted, not
// printed: the point is the compiler's heap, not its output.
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.util.JavacTask;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

public class JavacHeap {
    public static void main(String[] args) throws Exception {
        String out = args[0];
        Path src = Paths.get(args[1]);
        int copies = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        List<Path> files;
        try (Stream<Path> s = Files.walk(src)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<Object> kept = new ArrayList<>();
        long[] errors = {0};
        for (int c = 0; c < copies; c++) {
            StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null);
            JavacTask task = (JavacTask) javac.getTask(null, fm, d -> errors[0]++,
                    List.of("-proc:none", "--patch-module", "java.base=" + src, "-Xlint:none",
                            "-XDshould-stop.at=FLOW"),
                    null, fm.getJavaFileObjectsFromPaths(files));
            List<CompilationUnitTree> units = new ArrayList<>();
            task.parse().forEach(units::add);
            task.analyze();
            kept.add(task);
            kept.add(units);
            kept.add(fm);
        }
        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        bean.dumpHeap(out, true);
        Reference.reachabilityFence(kept);
        System.out.printf("JavacHeap: %d files, %d copies, %d diagnostics: %s%n", files.size(), copies,
                errors[0], out);
    }
}
