package dev.attn4j.it.packaging;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attn4j-bom lists every artifact the reactor publishes (a module added without it would leave host
 * apps without a managed version), and the pom that is installed and deployed is the flattened one:
 * no parent (whose dependency management an import would drag in) and no properties.
 */
class BomTest {
    /** Reactor modules that are not published: the build-only ones. */
    private static final Set<String> NOT_PUBLISHED = Set.of("attn4j-parent", "attn4j-bom",
            "attn4j-integration-tests", "attn4j-example-host-app", "attn4j-benchmarks");
    /** The reactor root: this module's parent under Maven, the working directory in the GPU host's pack. */
    private static final Path ROOT = Stream.of(Path.of(".."), Path.of("."))
            .map(p -> p.toAbsolutePath().normalize()).filter(p -> Files.exists(p.resolve("bom/pom.xml")))
            .findFirst().orElseThrow(() -> new AssertionError("no reactor root (bom/pom.xml) at .. or ."));

    @Test
    void listsEveryPublishedModule() throws Exception {
        Set<String> published = new TreeSet<>();
        for (String module : children(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "modules", "module")) {
            String artifact = child(parse(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement(), "artifactId");
            if (!NOT_PUBLISHED.contains(artifact)) {
                published.add(artifact);
            }
        }
        Element bom = parse(ROOT.resolve("bom/pom.xml")).getDocumentElement();
        for (Element d : elements(bom, "dependencyManagement", "dependencies", "dependency")) {
            assertEquals("${project.version}", child(d, "version"), "every attn4j artifact at the BOM's own version");
        }
        assertEquals(published, managed(bom));
    }

    private static Set<String> managed(Element pom) {
        Set<String> out = new TreeSet<>();
        for (Element d : elements(pom, "dependencyManagement", "dependencies", "dependency")) {
            out.add(child(d, "artifactId"));
        }
        return out;
    }

    @Test
    void theInstalledBomIsFlattened() throws Exception {
        Path flat = ROOT.resolve("bom/target/flattened-bom.xml");
        assertTrue(Files.exists(flat), flat + " missing: build the reactor (mvn -B verify from the root)");
        Element bom = parse(flat).getDocumentElement();
        assertTrue(elements(bom, "parent").isEmpty(), "no parent");
        assertTrue(elements(bom, "properties").isEmpty(), "no properties");
        assertEquals("attn4j-bom", child(bom, "artifactId"));
        for (String required : List.of("name", "description", "url", "licenses", "developers", "scm")) {
            assertTrue(!elements(bom, required).isEmpty(), required + " (Maven Central requires it)");
        }
        assertEquals(managed(parse(ROOT.resolve("bom/pom.xml")).getDocumentElement()), managed(bom),
                "only the BOM's own entries, none of the parent's");
    }

    private static Document parse(Path p) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(p.toFile());
    }

    /** Direct child elements along a path of names. */
    private static List<Element> elements(Element root, String... path) {
        List<Element> level = List.of(root);
        for (String name : path) {
            List<Element> next = new ArrayList<>();
            for (Element e : level) {
                NodeList kids = e.getChildNodes();
                for (int i = 0; i < kids.getLength(); i++) {
                    Node n = kids.item(i);
                    if (n instanceof Element k && k.getTagName().equals(name)) {
                        next.add(k);
                    }
                }
            }
            level = next;
        }
        return level;
    }

    private static List<String> children(Element root, String... path) {
        return elements(root, path).stream().map(e -> e.getTextContent().strip()).toList();
    }

    private static String child(Element root, String name) {
        return elements(root, name).get(0).getTextContent().strip();
    }
}
