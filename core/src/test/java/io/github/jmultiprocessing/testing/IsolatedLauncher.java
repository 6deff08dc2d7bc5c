package io.github.jmultiprocessing.testing;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a program the way a build tool or an application with plugins does, for tests of what child JVMs see:
 * the program's classes (and the library) come from a {@link URLClassLoader} of their own, not from the JVM's
 * class path, and {@code main} runs in a thread group of its own. Mode {@code exec} sets the thread's context
 * class loader to that loader (as {@code mvn exec:java} does), mode {@code plugin} leaves it as it is (an
 * application calling into a plugin). After {@code main} returns, it prints the threads still alive in the
 * program's group ({@code lingering=[...]}), which {@code mvn exec:java} would wait 15 s for.
 *
 * <p>Uses only the JDK: its own class file is the only thing on the JVM's class path.
 */
public final class IsolatedLauncher {

    private IsolatedLauncher() {
    }

    /**
     * Runs the program.
     *
     * @param args mode ({@code exec} or {@code plugin}), the loader's class path, the main class, its arguments
     * @throws Exception if it fails
     */
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        List<URL> urls = new ArrayList<>();
        for (String entry : args[1].split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        URLClassLoader loader = new URLClassLoader("program", urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader());
        Method main = loader.loadClass(args[2]).getMethod("main", String[].class);
        String[] programArgs = Arrays.copyOfRange(args, 3, args.length);
        ThreadGroup group = new ThreadGroup("program");
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(group, () -> {
            if (mode.equals("exec")) {
                Thread.currentThread().setContextClassLoader(loader);
            }
            try {
                main.invoke(null, (Object) programArgs);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "program-main");
        if (mode.equals("plugin")) {
            thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
        }
        thread.start();
        thread.join();
        if (failure[0] != null) {
            failure[0].printStackTrace();
            System.exit(3);
        }
        List<String> lingering = new ArrayList<>();
        for (int attempt = 0; attempt < 20; attempt++) {
            Thread[] threads = new Thread[group.activeCount() + 8];
            int n = group.enumerate(threads, true);
            lingering.clear();
            for (int i = 0; i < n; i++) {
                if (threads[i].isAlive() && threads[i] != Thread.currentThread()) {
                    lingering.add(threads[i].getName());
                }
            }
            if (lingering.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        System.out.println("lingering=" + lingering);
    }
}
