package dev.bulwark.gateway.validation;

import static java.util.Objects.requireNonNull;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.report.ValidationReport.Message;
import com.atlassian.oai.validator.report.ValidationReport.MessageContext;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A route's OpenAPI 3.0 or 3.1 contract: a request to an operation the document does not define is
 * refused (404 for an unknown path, 405 for a known path with another method), and a request whose
 * path, query, headers or body break it gets 400 {@code schema_violation}.
 */
public final class OpenApiContract {
  private static final Pattern ALLOWED_TYPES = Pattern.compile("allowed: \\[([\"a-z, ]*)]");
  private static final Pattern MISSING_PROPERTIES =
      Pattern.compile("missing required properties \\(\\[([\"A-Za-z0-9_.$, -]*)]\\)");

  private final Path source;
  private final OpenAPI api;
  private final OpenApiInteractionValidator validator;

  private OpenApiContract(Path source, OpenAPI api) {
    this.source = source;
    this.api = api;
    this.validator = OpenApiInteractionValidator.createFor(api).build();
  }

  /**
   * Loads the document at {@code file} (YAML or JSON). Only the file is read: references to other
   * files or URLs are not followed, so loading a contract never reaches the network.
   *
   * @throws IllegalArgumentException if the file cannot be read or is not a valid OpenAPI 3
   *     document; the message names the file and the problem
   */
  public static OpenApiContract load(Path file) {
    requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "OpenAPI document " + file + ": cannot be read (" + e.getMessage() + ")", e);
    }
    ParseOptions options = new ParseOptions();
    options.setResolve(false);
    SwaggerParseResult parsed;
    try {
      parsed = new OpenAPIV3Parser().readContents(text, List.of(), options);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "OpenAPI document " + file + ": cannot be parsed (" + e.getMessage() + ")", e);
    }
    List<String> problems = parsed.getMessages() == null ? List.of() : parsed.getMessages();
    if (parsed.getOpenAPI() == null || !problems.isEmpty()) {
      throw new IllegalArgumentException(
          "OpenAPI document "
              + file
              + ": "
              + (problems.isEmpty() ? "not an OpenAPI 3 document" : String.join("; ", problems)));
    }
    if (parsed.getOpenAPI().getPaths() == null || parsed.getOpenAPI().getPaths().isEmpty()) {
      throw new IllegalArgumentException(
          "OpenAPI document " + file + ": defines no paths (expected: at least one operation)");
    }
    try {
      return new OpenApiContract(file, parsed.getOpenAPI());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "OpenAPI document " + file + ": cannot be used (" + e.getMessage() + ")", e);
    }
  }

  /** The file this contract was loaded from. */
  public Path source() {
    return source;
  }

  /** Why {@code request} breaks the contract, or empty if it keeps it. */
  public Optional<Refusal> check(InboundRequest request) {
    ValidationReport report;
    try {
      report = validator.validateRequest(toValidatorRequest(request));
    } catch (RuntimeException e) {
      // Fail closed: a request the validator cannot judge is not forwarded.
      return Optional.of(
          new Refusal(
              400,
              "schema_violation",
              "the request could not be checked against the API contract",
              "contract_unchecked"));
    }
    List<Message> errors =
        report.getMessages().stream()
            .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
            .toList();
    if (errors.isEmpty()) {
      return Optional.empty();
    }
    for (Message error : errors) {
      if (error.getKey().equals("validation.request.path.missing")) {
        return Optional.of(
            new Refusal(
                404, "not_found", "the API defines no operation at this path", "undefined_path"));
      }
      if (error.getKey().equals("validation.request.operation.notAllowed")) {
        Set<String> allow = allowedMethods(request.rawPath());
        return Optional.of(
            new Refusal(
                405,
                "method_not_allowed",
                "the API defines no " + request.method() + " operation at this path",
                "undefined_operation",
                allow));
      }
    }
    return Optional.of(
        new Refusal(400, "schema_violation", describe(errors.getFirst()), "schema_violation"));
  }

  private static SimpleRequest toValidatorRequest(InboundRequest request) {
    SimpleRequest.Builder builder =
        new SimpleRequest.Builder(request.method().toUpperCase(Locale.ROOT), request.rawPath());
    request.headers().forEach(builder::withHeader);
    queryParameters(request.rawQuery().orElse("")).forEach(builder::withQueryParam);
    request.body().ifPresent(builder::withBody);
    return builder.build();
  }

  private static Map<String, List<String>> queryParameters(String rawQuery) {
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    if (rawQuery.isEmpty()) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      String[] nameValue = pair.split("=", 2);
      parameters
          .computeIfAbsent(decode(nameValue[0]), n -> new ArrayList<>())
          .add(nameValue.length == 2 ? decode(nameValue[1]) : "");
    }
    return parameters;
  }

  private static String decode(String component) {
    return URLDecoder.decode(component, StandardCharsets.UTF_8);
  }

  // The library's messages can quote the offending value (an enum miss, a header pattern), so the
  // description is rebuilt from the message key and the schema, never copied from the message.
  private static String describe(Message error) {
    String key = error.getKey();
    Optional<MessageContext> context = error.getContext();
    Optional<Parameter> parameter = context.flatMap(MessageContext::getParameter);
    String rule = key.substring(key.lastIndexOf('.') + 1);
    if (key.startsWith("validation.request.body")) {
      String pointer =
          context
              .flatMap(MessageContext::getPointers)
              .map(MessageContext.Pointers::getInstance)
              .filter(p -> !p.isEmpty())
              .orElse("/");
      return "body: " + pointer + ": " + bodyRule(rule, error.getMessage());
    }
    if (parameter.isPresent()) {
      return parameter.get().getIn() + " parameter " + parameter.get().getName() + ": " + rule;
    }
    if (key.startsWith("validation.request.security")) {
      return "security: the credentials the operation requires are missing";
    }
    if (key.startsWith("validation.request.contentType")) {
      return "content type: not one the operation accepts";
    }
    return key.replace("validation.request.", "") + ": does not match the API contract";
  }

  private static String bodyRule(String rule, String message) {
    if (rule.equals("type")) {
      Matcher types = ALLOWED_TYPES.matcher(message);
      if (types.find()) {
        return "expected " + schemaNames(types.group(1));
      }
    }
    if (rule.equals("required")) {
      Matcher missing = MISSING_PROPERTIES.matcher(message);
      if (missing.find()) {
        return "missing required properties " + schemaNames(missing.group(1));
      }
    }
    if (rule.equals("missing")) {
      return "a body is required";
    }
    return "violates '" + rule + "'";
  }

  // A list of names from the schema, as the library prints it: ["a","b"] -> a, b.
  private static String schemaNames(String quoted) {
    return String.join(", ", quoted.replace("\"", "").split(",\\s*"));
  }

  private Set<String> allowedMethods(String rawPath) {
    Set<String> methods = new TreeSet<>();
    for (Map.Entry<String, PathItem> entry : api.getPaths().entrySet()) {
      if (templateMatches(entry.getKey(), rawPath)) {
        entry.getValue().readOperationsMap().keySet().forEach(m -> methods.add(m.name()));
      }
    }
    return methods;
  }

  // OpenAPI path templating (§4.8.8.2): {name} stands for one whole segment.
  private static boolean templateMatches(String template, String path) {
    String[] expected = template.split("/", -1);
    String[] actual = path.split("/", -1);
    if (expected.length != actual.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      boolean variable = expected[i].startsWith("{") && expected[i].endsWith("}");
      if (!(variable ? !actual[i].isEmpty() : expected[i].equals(actual[i]))) {
        return false;
      }
    }
    return true;
  }
}
