package dev.bulwark.policy.differential;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The official Cedar implementation (cedar-wasm, run by {@code node}) answering for a batch of
 * generated cases in one process: see {@code src/test/node/cedar-oracle.mjs}.
 */
final class CedarOracle {
  static final String INSTALL =
      "install Node.js 20+ and the oracle's dependencies: npm ci --prefix policy/src/test/node";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path dir;

  CedarOracle(Path dir) {
    this.dir = requireNonNull(dir, "dir");
  }

  /** The oracle beside the module's tests ({@code policy/src/test/node}). */
  static CedarOracle beside(Path moduleDir) {
    return new CedarOracle(moduleDir.resolve("src/test/node"));
  }

  /** Why the oracle cannot run, or empty when it can. */
  String missing() {
    if (!Files.isRegularFile(dir.resolve("cedar-oracle.mjs"))) {
      return "no Cedar oracle at " + dir.resolve("cedar-oracle.mjs");
    }
    if (!Files.isDirectory(dir.resolve("node_modules/@cedar-policy/cedar-wasm"))) {
      return "@cedar-policy/cedar-wasm is not installed in " + dir + "; " + INSTALL;
    }
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "`node --version` failed; " + INSTALL;
      }
    } catch (IOException e) {
      return "node is not on the PATH (" + e.getMessage() + "); " + INSTALL;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while looking for node";
    }
    return "";
  }

  /** Cedar's answers, one per case, in order: {@code {"validation": ..., "requests": [...]}}. */
  List<JsonNode> answer(List<GeneratedCase> cases) throws IOException, InterruptedException {
    return answer(cases, false);
  }

  /**
   * Cedar's answers, one per case, in order; with {@code json}, Cedar first converts the schema and
   * policies to its JSON formats, answers for those, and each answer carries them as {@code
   * "schemaJson"} and {@code "policySetJson"}.
   */
  List<JsonNode> answer(List<GeneratedCase> cases, boolean json)
      throws IOException, InterruptedException {
    return answer(cases, json, false);
  }

  /**
   * As {@link #answer(List, boolean)}; with {@code resolvedTypes}, the JSON schemas of even seeds
   * have their types resolved ({@code schemaToJsonWithResolvedTypes}: {@code "Bool"}, {@code
   * "decimal"} and entity types by name instead of {@code "EntityOrCommon"}).
   */
  List<JsonNode> answer(List<GeneratedCase> cases, boolean json, boolean resolvedTypes)
      throws IOException, InterruptedException {
    ObjectNode input = JSON.createObjectNode();
    ArrayNode list = input.putArray("cases");
    for (GeneratedCase c : cases) {
      ObjectNode n = list.addObject();
      n.set("policySet", policySet(c));
      n.put("json", json);
      n.put("resolvedTypes", resolvedTypes && c.seed() % 2 == 0);
      n.put("schema", c.schema());
      n.set("entities", c.entities());
      ArrayNode requests = n.putArray("requests");
      for (GeneratedCase.GenRequest r : c.requests()) {
        ObjectNode rn = requests.addObject();
        rn.set("principal", r.principal());
        rn.set("action", r.action());
        rn.set("resource", r.resource());
        rn.set("context", r.context());
      }
    }
    Process node =
        new ProcessBuilder("node", "cedar-oracle.mjs")
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(() -> readAll(node.getInputStream()));
    try (OutputStream in = node.getOutputStream()) {
      in.write(JSON.writeValueAsBytes(input));
    }
    byte[] answer = out.join();
    if (!node.waitFor(10, TimeUnit.MINUTES) || node.exitValue() != 0) {
      node.destroy();
      throw new IOException(
          "the Cedar oracle failed (exit "
              + node.exitValue()
              + "): "
              + new String(answer, StandardCharsets.UTF_8));
    }
    JsonNode results = JSON.readTree(answer).path("results");
    List<JsonNode> all = new java.util.ArrayList<>();
    results.forEach(all::add);
    if (all.size() != cases.size()) {
      throw new IOException(
          "the Cedar oracle answered " + all.size() + " of " + cases.size() + " cases");
    }
    return all;
  }

  /** The case's policies, templates and links as Cedar's policy-set object, ids as Cedar's. */
  private static ObjectNode policySet(GeneratedCase c) {
    ObjectNode set = JSON.createObjectNode();
    ObjectNode statics = set.putObject("staticPolicies");
    ObjectNode templates = set.putObject("templates");
    for (int i = 0; i < c.policyList().size(); i++) {
      String id = GeneratedCase.id(i);
      (c.templateIds().contains(id) ? templates : statics).put(id, c.policyList().get(i));
    }
    ArrayNode links = set.putArray("templateLinks");
    for (GeneratedCase.Link l : c.links()) {
      ObjectNode n = links.addObject();
      n.put("templateId", l.templateId());
      n.put("newId", l.newId());
      n.set("values", l.values());
    }
    return set;
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
