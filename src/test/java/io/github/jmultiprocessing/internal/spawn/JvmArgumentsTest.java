package io.github.jmultiprocessing.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmArgumentsTest {

    @Test
    void shouldInheritHeapPropertiesOpeningsAndAssertionsUpToTheMainClass() {
        List<String> inherited = JvmArguments.inheritedFrom(List.of("-Xmx256m", "-cp", "a.jar:b", "-Dapp=x y",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-XX:+UseSerialGC", "-agentlib:jdwp=x",
                "-javaagent:a.jar", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-ea", "--enable-preview",
                "-Djava.class.path=z", "-Xss2m", "demo.Main", "-Xmx1g", "-Dprogram=arg"));
        assertEquals(List.of("-Xmx256m", "-Dapp=x y", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-ea", "--enable-preview", "-Xss2m"), inherited);
    }

    @Test
    void shouldLeaveTheJdksManagementAgentSettingsToTheParent() {
        assertEquals(List.of("-Dapp=1"), JvmArguments.inheritedFrom(List.of("-Dcom.sun.management.jmxremote.port=9010",
                "-Dcom.sun.management.jmxremote", "-Dapp=1", "Main")));
    }

    @Test
    void shouldStopAtAJarOrModule() {
        assertEquals(List.of("-Xms1g"), JvmArguments.inheritedFrom(List.of("-Xms1g", "-jar", "app.jar", "-Dx=y")));
        assertEquals(List.of("-Da=1"), JvmArguments.inheritedFrom(List.of("-Da=1", "-m", "m/m.Main", "-Db=2")));
        assertEquals(List.of("-Da=1"), JvmArguments.inheritedFrom(List.of("-Da=1", "--module=m/m.Main", "-Db=2")));
    }

    @Test
    void shouldExpandArgumentFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("args");
        Files.writeString(file, "# a comment\n-Xmx64m \"-Dquoted=a b\"\n  -cp x.jar\n'-Dsingle=c d'\n");
        assertEquals(List.of("-Xmx64m", "-Dquoted=a b", "-Dsingle=c d", "-Dafter=1"),
                JvmArguments.inheritedFrom(List.of("@" + file, "-Dafter=1", "Main")));
    }
}
