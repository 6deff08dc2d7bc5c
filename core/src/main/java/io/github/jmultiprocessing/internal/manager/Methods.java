package io.github.jmultiprocessing.internal.manager;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Methods named as a proxy and a server agree on them: the name and the parameter types. */
public final class Methods {

    private static final ClassValue<Map<String, Method>> RESOLVED = new ClassValue<>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private Methods() {
    }

    /**
     * {@return a method's signature: {@code name(type,type)}}
     *
     * @param method the method
     */
    public static String signature(Method method) {
        return SIGNATURES.computeIfAbsent(method, Methods::describe); // a proxy's every call asks: built once
    }

    private static final Map<Method, String> SIGNATURES = new ConcurrentHashMap<>();

    private static String describe(Method method) {
        StringBuilder text = new StringBuilder(method.getName()).append('(');
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            text.append(i == 0 ? "" : ",").append(types[i].getName());
        }
        return text.append(')').toString();
    }

    /**
     * {@return the public method of an interface with a signature}
     *
     * @param type      the interface
     * @param signature the signature
     * @throws NoSuchMethodException if it has none
     */
    public static Method resolve(Class<?> type, String signature) throws NoSuchMethodException {
        Map<String, Method> known = RESOLVED.get(type);
        Method method = known.get(signature);
        if (method != null) {
            return method;
        }
        for (Method candidate : type.getMethods()) {
            if (signature(candidate).equals(signature)) {
                known.put(signature, candidate);
                return candidate;
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + signature);
    }
}
