package examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Manager;
import io.github.jmultiprocessing.ManagedLock;
import io.github.jmultiprocessing.Multiprocessing;
import java.util.List;
import java.util.Map;

/** Tour 5, a manager: objects held by a server process. Python: {@code with Manager() as m: d = m.dict()}. */
public class Managers {

    public static void main(String[] args) throws Exception {
        try (Manager manager = Multiprocessing.manager()) {          // starts the server JVM
            Map<String, Integer> scores = manager.dict();            // a java.util.Map proxy
            List<String> log = manager.list();                       // a java.util.List proxy
            ManagedLock lock = manager.lock();                       // a java.util.concurrent.locks.Lock
            JvmProcess[] players = new JvmProcess[3];
            for (int i = 0; i < players.length; i++) {
                String name = "player-" + i;
                players[i] = new JvmProcess(() -> {
                    lock.lock();
                    try {                                            // read and write as one step
                        scores.merge("total", 10, Integer::sum);
                    } finally {
                        lock.unlock();
                    }
                    log.add(name + " scored");
                });
                players[i].start();
            }
            for (JvmProcess p : players) {
                p.join();
            }
            System.out.println("scores " + scores);                  // {total=30}
            System.out.println("log entries " + log.size());         // 3
        }
    }
}
