package dev.bulwark.policy.differential;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a generated case with Cedar's answers as one test of Cedar's generated integration corpus:
 * {@code corpus-tests/<hash>.json}, {@code .cedar}, {@code .cedarschema} and {@code
 * .entities.json}, paths inside the test relative to the corpus root.
 */
final class CorpusWriter {
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private CorpusWriter() {}

  /**
   * Writes the test and returns its file, or throws when Cedar refused an input the generator
   * should have made valid (then the generator, not the engine, is wrong).
   */
  static Path write(Path root, GeneratedCase c, JsonNode answer) throws IOException {
    JsonNode validation = answer.path("validation");
    if (validation.path("failure").asBoolean()) {
      throw new IllegalStateException(
          "Cedar could not read the policies or schema of case "
              + c.seed()
              + ": "
              + validation.path("messages")
              + "\n"
              + c.policies()
              + "\n"
              + c.schema());
    }
    String hash = hash(c);
    Path dir = Files.createDirectories(root.resolve("corpus-tests"));
    Files.writeString(dir.resolve(hash + ".cedar"), c.policies(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(hash + ".cedarschema"), c.schema(), StandardCharsets.UTF_8);
    Files.write(dir.resolve(hash + ".entities.json"), JSON.writeValueAsBytes(c.entities()));
    ObjectNode test = JSON.createObjectNode();
    test.put("policies", "corpus-tests/" + hash + ".cedar");
    test.put("entities", "corpus-tests/" + hash + ".entities.json");
    test.put("schema", "corpus-tests/" + hash + ".cedarschema");
    test.put("shouldValidate", validation.path("valid").asBoolean());
    ArrayNode requests = test.putArray("requests");
    for (int i = 0; i < c.requests().size(); i++) {
      GeneratedCase.GenRequest r = c.requests().get(i);
      JsonNode a = answer.path("requests").get(i);
      if (a.has("failure")) {
        throw new IllegalStateException(
            "Cedar refused request "
                + i
                + " of case "
                + c.seed()
                + ": "
                + a.path("failure")
                + "\n"
                + r
                + "\n"
                + c.schema()
                + "\n"
                + c.entities());
      }
      ObjectNode n = requests.addObject();
      n.put("description", "seed " + c.seed() + " request " + i);
      n.set("principal", r.principal());
      n.set("action", r.action());
      n.set("resource", r.resource());
      n.set("context", r.context());
      n.put("validateRequest", true);
      n.put("decision", a.path("decision").asString());
      n.set("reason", a.path("reason"));
      n.set("errors", a.path("errors"));
    }
    Path file = dir.resolve(hash + ".json");
    Files.write(file, JSON.writeValueAsBytes(test));
    return file;
  }

  private static String hash(GeneratedCase c) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(c.policies().getBytes(StandardCharsets.UTF_8));
      sha.update(c.schema().getBytes(StandardCharsets.UTF_8));
      sha.update(Long.toString(c.seed()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(), 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
