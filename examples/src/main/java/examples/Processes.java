package examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Multiprocessing;

/** Tour 1, processes. Python: {@code p = Process(target=f, args=('bob',)); p.start(); p.join()}. */
public class Processes {

    static void greet(String name) {
        JvmProcess me = Multiprocessing.currentProcess();
        System.out.println("hello " + name + " from " + me.getName() + " (a child JVM: pid " + me.pid().getAsLong()
                + ", parent pid " + ProcessHandle.current().parent().orElseThrow().pid() + ")");
    }

    public static void main(String[] args) throws Exception {
        System.out.println("parent pid " + ProcessHandle.current().pid());
        JvmProcess greeter = new JvmProcess(() -> greet("bob"), "greeter"); // hello bob from greeter (a child...
        greeter.start();
        greeter.join();
        System.out.println("greeter exit code " + greeter.exitCode().getAsInt());    // 0

        JvmProcess failing = new JvmProcess(() -> {   // prints "Process JvmProcess-2:" and the trace, as Python
            throw new IllegalStateException("a child's exception: its trace goes to the child's stderr");
        });
        failing.start();
        failing.join();
        System.out.println("failing exit code " + failing.exitCode().getAsInt());    // 1

        JvmProcess sleeper = new JvmProcess(() -> Thread.sleep(60_000));
        sleeper.start();
        sleeper.terminate();                                                          // SIGTERM, as Python's
        sleeper.join();
        System.out.println("terminated exit code " + sleeper.exitCode().getAsInt()); // -15
    }
}
