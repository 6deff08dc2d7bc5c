/**
 * Python's {@code multiprocessing} for the JVM: real OS processes (child JVMs) that share memory the way Python's
 * do, with the same objects: processes, locks and the other synchronizers, shared values and arrays, queues, pipes,
 * a process pool and managers.
 *
 * <h2>One flat package, as Python's namespace</h2>
 * Python users write {@code multiprocessing.Lock()}, {@code multiprocessing.Pool}, {@code multiprocessing.Queue}:
 * {@code multiprocessing/__init__.py} flattens the default context into one namespace. This package is that
 * namespace, in the shape of {@code java.util.concurrent}: the public types, plus a few package-private companions
 * that implement or carry one public type ({@code BuiltinCodec}, {@code ChildBootstrap}, {@code PoolExecutor},
 * {@code WorkerEnd}, {@code ManagerProxy} with the list proxy's {@code ListProxyIterator} and
 * {@code ListProxySubList}). Everything with a protocol, loop, thread or byte format of its own lives below it, in
 * {@code io.github.jmultiprocessing.internal}, which the module does not export.
 *
 * <table>
 *   <caption>Python -&gt; Java, the main names (README's "Python -&gt; Java" table has every method)</caption>
 *   <tr><th>Python</th><th>here</th></tr>
 *   <tr><td>{@code Process(target=f)}, {@code start}, {@code join}</td>
 *       <td>{@link io.github.jmultiprocessing.JvmProcess}: {@code new JvmProcess(() -> f())}, {@code start()},
 *       {@code join()}</td></tr>
 *   <tr><td>{@code get_context}, {@code set_start_method}, {@code cpu_count}, {@code active_children},
 *       {@code connection.wait}</td>
 *       <td>{@link io.github.jmultiprocessing.Multiprocessing} (module-level functions),
 *       {@link io.github.jmultiprocessing.Context} (a start method and its factories)</td></tr>
 *   <tr><td>{@code Lock}, {@code RLock}, {@code Semaphore}, {@code BoundedSemaphore}, {@code Condition},
 *       {@code Event}, {@code Barrier}</td>
 *       <td>{@link io.github.jmultiprocessing.SharedLock}, {@link io.github.jmultiprocessing.SharedRLock},
 *       {@link io.github.jmultiprocessing.SharedSemaphore}, {@link io.github.jmultiprocessing.SharedBoundedSemaphore},
 *       {@link io.github.jmultiprocessing.SharedCondition}, {@link io.github.jmultiprocessing.SharedEvent},
 *       {@link io.github.jmultiprocessing.SharedBarrier}</td></tr>
 *   <tr><td>{@code Value}, {@code Array}, {@code RawValue}, {@code RawArray}</td>
 *       <td>{@link io.github.jmultiprocessing.SharedValue}, {@link io.github.jmultiprocessing.SharedArray}</td></tr>
 *   <tr><td>{@code shared_memory.SharedMemory}, {@code ShareableList}, {@code SharedMemoryManager}</td>
 *       <td>{@link io.github.jmultiprocessing.SharedMemory}, {@link io.github.jmultiprocessing.SharedList},
 *       {@link io.github.jmultiprocessing.SharedMemoryManager}</td></tr>
 *   <tr><td>{@code Queue}, {@code JoinableQueue}, {@code SimpleQueue}</td>
 *       <td>{@link io.github.jmultiprocessing.SharedQueue}, {@link io.github.jmultiprocessing.SharedJoinableQueue},
 *       {@link io.github.jmultiprocessing.SharedSimpleQueue}, all three a
 *       {@link io.github.jmultiprocessing.MultiprocessingQueue}</td></tr>
 *   <tr><td>{@code Pipe}, {@code Connection}, {@code Listener}, {@code Client}</td>
 *       <td>{@link io.github.jmultiprocessing.Pipe}, {@link io.github.jmultiprocessing.Connection},
 *       {@link io.github.jmultiprocessing.Listener}, {@link io.github.jmultiprocessing.Client}</td></tr>
 *   <tr><td>{@code Pool}, {@code AsyncResult}, {@code ProcessPoolExecutor}</td>
 *       <td>{@link io.github.jmultiprocessing.ProcessPool}, {@link io.github.jmultiprocessing.AsyncResult},
 *       {@link io.github.jmultiprocessing.PoolExecutor}</td></tr>
 *   <tr><td>{@code Manager()}, {@code BaseManager}, proxies</td>
 *       <td>{@link io.github.jmultiprocessing.Manager}, {@link io.github.jmultiprocessing.BaseManager}, the
 *       {@code Managed*} interfaces and {@link io.github.jmultiprocessing.Namespace}</td></tr>
 * </table>
 *
 * <p>Name prefixes sort the listing: {@code Shared*} is a concrete object that lives in shared memory,
 * {@code Managed*} a proxy of an object a manager's server holds, {@code Serializable*} a functional interface whose
 * lambdas travel to other processes.
 *
 * <h2>How shared objects travel</h2>
 * A shared object given to another process (captured by a {@code JvmProcess} target, put in a queue, sent through a
 * pipe, passed to a pool task) travels as a small handle: the name of its segment and where in it the object lies,
 * never its bytes. The receiver maps the same memory and both processes then work on one object. A handle takes a
 * ticket in the object's memory when it is sent and the receiver registers itself as a holder before it gives the
 * ticket back, so memory is never given back while a handle is on its way; it is given back once every process
 * holding the object has closed it, dropped it, or ended (a process killed with {@code kill -9} included).
 * Ordinary objects travel by value: numbers, strings and arrays on fast paths, anything else by Java serialization,
 * always read through an {@link java.io.ObjectInputFilter}.
 *
 * <h2>Memory consistency across processes</h2>
 * Each type states its own effects, and they are those of its {@code java.util.concurrent} counterpart, across
 * processes: actions before a lock's release happen-before the actions after an acquire of it in any process
 * (likewise a semaphore's release and the acquire that takes the permit, an event's {@code set} and an
 * {@code await} that sees it, the actions before a barrier's {@code await} and the return of every {@code await}
 * of that trip); actions before a {@code put}, {@code send} or {@code start()} happen-before those after the
 * {@code get}/{@code recv} that takes the object, or the child's {@code run()}; a {@code SharedValue} or
 * {@code SharedArray} element write happens-before every read, in any process, that sees it. {@code SharedMemory}
 * gives only what its {@link java.lang.foreign.MemorySegment} accesses give. The implementation uses
 * {@link java.lang.invoke.VarHandle} access modes on the mapped memory, which hold across processes sharing the
 * mapping as they do across threads.
 *
 * <h2>Faults</h2>
 * A process may die at any moment ({@code kill -9}): a lock its dead holder held is taken over, a semaphore permit
 * it held comes back, a message it was writing is never delivered half, a pool task it was running fails with
 * {@link io.github.jmultiprocessing.WorkerLostException} and the tasks queued behind it run elsewhere, and the
 * segments of a dead process tree are unlinked by the next library JVM that starts. Bytes changed in a queue's or
 * pipe's memory end in an exception within a bounded time, never in a wait for good; with
 * {@link io.github.jmultiprocessing.MessageChecksum#CRC32C} a changed message is dropped, not delivered.
 *
 * <h2>Configuration</h2>
 * Child JVMs are configured in code with {@link io.github.jmultiprocessing.ChildJvm} (per context, process, pool or
 * manager). The rest are system properties, set with {@code -D} or with {@code System.setProperty} before the use
 * they affect; a child JVM is given those set in its parent when it starts. The library reads no other property
 * (README's Configuration table says the same, at more length).
 *
 * <table>
 *   <caption>System properties</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code jmultiprocessing.shm.dir}</td><td>{@code /dev/shm} on Linux, else {@code java.io.tmpdir}</td>
 *       <td>where segment files are created; too little room there is an {@link java.io.UncheckedIOException} at
 *       creation that names the directory and this property</td></tr>
 *   <tr><td>{@code jmultiprocessing.futex}</td><td>{@code true} where native access is enabled on Linux</td>
 *       <td>{@code false}: waiting threads back off in pure Java instead of sleeping on a futex</td></tr>
 *   <tr><td>{@code jmultiprocessing.child.jvmOptions}</td><td>none</td>
 *       <td>extra JVM options for every child, split on whitespace (prefer {@code ChildJvm})</td></tr>
 *   <tr><td>{@code jmultiprocessing.aot}</td><td>{@code true} on JDK 24+</td>
 *       <td>{@code false}: no ahead-of-time caches for child JVMs</td></tr>
 *   <tr><td>{@code jmultiprocessing.aot.maxBytes}</td><td>{@code 256m}</td>
 *       <td>the most the caches take together (suffix {@code k}, {@code m}, {@code g}); {@code 0} turns them
 *       off</td></tr>
 *   <tr><td>{@code jmultiprocessing.aot.directories}</td><td>{@code true}</td>
 *       <td>{@code false}: class path directories stay as they are in children's class paths (children of a
 *       program run from directories then get no cache)</td></tr>
 *   <tr><td>{@code jmultiprocessing.aot.detached}</td><td>{@code false}</td>
 *       <td>{@code true}: the first child start builds the cache in a JVM of its own that may outlive the
 *       program</td></tr>
 *   <tr><td>{@code jmultiprocessing.forkserver.standbys}</td><td>the CPUs, at least 1, at most 4</td>
 *       <td>how many warm standby JVMs the {@code forkserver} start method keeps (1 to 64)</td></tr>
 *   <tr><td>{@code jmultiprocessing.cache.dir}</td>
 *       <td>{@code $XDG_CACHE_HOME/jmultiprocessing}, else {@code ~/.cache/jmultiprocessing}</td>
 *       <td>where the caches are kept</td></tr>
 *   <tr><td>{@code jmultiprocessing.manager.pipes}</td><td>{@code true}</td>
 *       <td>{@code false}: a manager's clients on this machine keep their connections on the Unix domain socket
 *       instead of pipes in shared memory</td></tr>
 *   <tr><td>{@code jmultiprocessing.checksum}</td><td>{@code false}</td>
 *       <td>{@code true}: queues and pipes created from then on without an explicit
 *       {@link io.github.jmultiprocessing.MessageChecksum} carry a CRC32C per message</td></tr>
 * </table>
 *
 * <h2>Observing it</h2>
 * The library logs through {@link java.lang.System.Logger} under its class names
 * ({@code io.github.jmultiprocessing...}): a child's start and end at {@code DEBUG}, a pool worker lost and
 * replaced at {@code WARNING}, a dead process's segments reaped at {@code INFO}. It records JFR events in
 * category {@code jmultiprocessing} (a process's start, readiness and exit, a pool task, a worker lost, a lock or
 * queue wait and a manager call above thresholds) once JFR has started in the JVM
 * ({@code -XX:StartFlightRecording}), and none before. Every thread it starts is named
 * {@code jmultiprocessing-...}.
 *
 * <h2>Where each concept lives</h2>
 * Below the public package, {@code internal} packages are named after the CPython module each implements, in two
 * tiers. The <b>core</b> never uses the public package: {@code shm} (segments, the shared heap, reaping a dead
 * process's segments: {@code shared_memory.py}, {@code heap.py}, {@code resource_tracker.py}), {@code codec}
 * (message bytes: {@code reduction.py}), {@code sync} (the one waiting core and the word protocols of every
 * synchronizer: {@code synchronize.py}), {@code ctypes} (typecodes and typed cells: {@code sharedctypes.py}),
 * {@code ring} (the byte ring under queues and pipes), {@code queue} (the queue channel: {@code queues.py}),
 * {@code connection} (the pipe channel, framed sockets and the authentication handshake: {@code connection.py}),
 * {@code spawn} (launching and bootstrapping a child JVM, the forkserver, exit actions: {@code spawn.py},
 * {@code popen_*.py}, {@code forkserver.py}). The <b>service</b> packages run API objects and may use the public
 * package's public types, as {@code java.util.concurrent.locks} and {@code java.util.concurrent} use each other:
 * {@code pool} ({@code pool.py}) and {@code manager} ({@code managers.py}). Two leaves serve all: {@code config} (the
 * system properties above, read in one class) and {@code events} (the JFR events). No cycle of files crosses a
 * package boundary (a test checks the tiers and the cycles).
 *
 * <p>The internal vocabulary: a {@code *Layout} class is the byte format of a kind of segment or block (offsets
 * derived from a {@link java.lang.foreign.MemoryLayout}, with a diagram); a {@code *Word} class is a protocol over
 * words of shared memory (a lock word, a semaphore word); {@code *Frames} are the messages of a wire protocol (the
 * pool's, the manager's); a {@code *Channel} is a queue or pipe over rings.
 */
package io.github.jmultiprocessing;
