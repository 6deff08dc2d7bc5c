package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a company's legal and build checks look for before they take a jar. */
class ProjectMetadataTest {

    /** The repository's root: the tests run in this module's directory, below it. */
    private static final Path REPOSITORY = repository();

    private static Path repository() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("LICENSE")) && Files.exists(dir.resolve("README.md"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no LICENSE and README.md above " + Path.of("").toAbsolutePath());
    }

    @Test
    void shouldBeLicensedUnderApache2InTheRepositoryAndThePom() throws Exception {
        String license = Files.readString(REPOSITORY.resolve("LICENSE"));
        assertTrue(license.contains("Apache License") && license.contains("Version 2.0, January 2004"));
        // The metadata lives in the parent pom (inherited by both artifacts), the javadoc jar in this module's.
        String pom = Files.readString(REPOSITORY.resolve("pom.xml")) + Files.readString(Path.of("pom.xml"));
        for (String element : new String[] {"<licenses>", "<name>Apache-2.0</name>", "<url>https://", "<scm>",
                "<developers>", "maven-source-plugin", "maven-javadoc-plugin"}) {
            assertTrue(pom.contains(element), "pom.xml has no " + element);
        }
    }

    @Test
    void shouldOpenTheReadmeWithTheDependencyAndTheNativeAccessSetup() throws Exception {
        String readme = Files.readString(REPOSITORY.resolve("README.md"));
        int quickStart = readme.indexOf("## Quick start");
        int dependency = readme.indexOf("<artifactId>jmultiprocessing</artifactId>");
        assertTrue(dependency > 0 && dependency < quickStart, "the dependency snippet comes first");
        for (String setup : new String[] {"<argLine>--enable-native-access=ALL-UNNAMED</argLine>",
                "Enable-Native-Access: ALL-UNNAMED", "java --enable-native-access=ALL-UNNAMED"}) {
            assertTrue(readme.indexOf(setup) > 0 && readme.indexOf(setup) < quickStart, "README has no " + setup);
        }
    }
}
