// The biggest retainers of an HPROF dump and the instance counts and
// sizes per class, as VisualVM's heap library computes them, to compare
// with `cycletool top --json` (testdata/java/visualvm_check.sh runs it).
// usage: VisualVMCheck DUMP [N [top]]: with "top", the retainers only.
import java.io.File;
import java.util.List;
import org.graalvm.visualvm.lib.jfluid.heap.*;

public class VisualVMCheck {
    public static void main(String[] args) throws Exception {
        Heap heap = HeapFactory.createHeap(new File(args[0]));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        for (Instance i : heap.getBiggestObjectsByRetainedSize(n)) {
            System.out.printf("top 0x%x %s %d %d%n", i.getInstanceId(), i.getJavaClass().getName(),
                    i.getSize(), i.getRetainedSize());
        }
        if (args.length > 2 && args[2].equals("top"))
            return;
        for (JavaClass c : heap.getAllClasses()) {
            if (c.getInstancesCount() > 0)
                System.out.printf("class %s %d %d%n", c.getName(), c.getInstancesCount(), c.getAllInstancesSize());
        }
    }
}
