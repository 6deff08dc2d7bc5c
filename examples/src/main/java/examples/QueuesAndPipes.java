package examples;

import io.github.jmultiprocessing.Connection;
import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Pipe;
import io.github.jmultiprocessing.SharedQueue;

/** Tour 3, messages. Python: {@code q = Queue()}, {@code a, b = Pipe()}. */
public class QueuesAndPipes {

    public static void main(String[] args) throws Exception {
        try (SharedQueue<Integer> squares = new SharedQueue<>()) {
            JvmProcess producer = new JvmProcess(() -> {
                for (int i = 1; i <= 5; i++) {
                    squares.put(i * i);                               // Python: q.put(i * i)
                }
                squares.put(-1);                                      // a sentinel: null cannot be put
            });
            producer.start();
            for (int n = squares.get(); n != -1; n = squares.get()) {
                System.out.println("got " + n);                       // 1, 4, 9, 16, 25
            }
            producer.join();
        }

        Pipe pipe = Pipe.open();                                      // Python: a, b = Pipe()
        Connection parent = pipe.left();
        Connection child = pipe.right();
        JvmProcess echo = new JvmProcess(() -> {
            String question = (String) child.recv();
            child.send(question.toUpperCase());
        });
        echo.start();
        parent.send("hello through a pipe");
        System.out.println(parent.recv());                            // HELLO THROUGH A PIPE
        echo.join();
        parent.close();
    }
}
