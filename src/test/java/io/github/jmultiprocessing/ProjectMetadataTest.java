package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a company's legal and build checks look for before they take a jar. */
class ProjectMetadataTest {

    @Test
    void shouldBeLicensedUnderApache2InTheRepositoryAndThePom() throws Exception {
        String license = Files.readString(Path.of("LICENSE"));
        assertTrue(license.contains("Apache License") && license.contains("Version 2.0, January 2004"));
        String pom = Files.readString(Path.of("pom.xml"));
        for (String element : new String[] {"<licenses>", "<name>Apache-2.0</name>", "<url>https://", "<scm>",
                "<developers>", "maven-source-plugin", "maven-javadoc-plugin"}) {
            assertTrue(pom.contains(element), "pom.xml has no " + element);
        }
    }

    @Test
    void shouldOpenTheReadmeWithTheDependencyAndTheNativeAccessSetup() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int quickStart = readme.indexOf("## Quick start");
        int dependency = readme.indexOf("<artifactId>jmultiprocessing</artifactId>");
        assertTrue(dependency > 0 && dependency < quickStart, "the dependency snippet comes first");
        for (String setup : new String[] {"<argLine>--enable-native-access=ALL-UNNAMED</argLine>",
                "Enable-Native-Access: ALL-UNNAMED", "java --enable-native-access=ALL-UNNAMED"}) {
            assertTrue(readme.indexOf(setup) > 0 && readme.indexOf(setup) < quickStart, "README has no " + setup);
        }
    }
}
