package dev.bulwark.gateway.validation;

import static java.util.Objects.requireNonNull;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.report.ValidationReport.Message;
import com.atlassian.oai.validator.report.ValidationReport.MessageContext;
import dev.bulwark.gateway.internal.BoundedMemo;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.security.SecurityScheme;
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
  private static final String AUTHORIZATION = "authorization";
  private static final Pattern MISSING_PROPERTIES =
      Pattern.compile("missing required properties \\(\\[([\"A-Za-z0-9_.$, -]*)]\\)");

  /** Outcomes remembered for requests without a body, at most this many at once. */
  static final int MAX_REMEMBERED = 10_000;

  private final Path source;
  private final OpenAPI api;
  private final OpenApiInteractionValidator validator;
  private final List<String> readHeaders;
  private final BoundedMemo<Optional<Refusal>> remembered = new BoundedMemo<>(MAX_REMEMBERED);

  private OpenApiContract(Path source, OpenAPI api) {
    this.source = source;
    this.api = api;
    this.validator = OpenApiInteractionValidator.createFor(api).build();
    this.readHeaders = List.copyOf(headersTheValidatorReads(api));
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

  /**
   * Why {@code request} breaks the contract, or empty if it keeps it.
   *
   * <p>Without a body, the outcome is a function of the method, the raw path and query, and the few
   * headers the validator reads (see {@link #headersTheValidatorReads}), so it is remembered under
   * exactly those: a repeated body-less request costs a map lookup instead of a validation, which
   * was a quarter of the gateway's time per request (bench/README.md).
   */
  public Optional<Refusal> check(InboundRequest request) {
    if (request.body().isPresent()) {
      return validate(request);
    }
    String key = outcomeKey(request);
    Optional<Refusal> known = remembered.get(key);
    if (known != null) {
      return known;
    }
    Optional<Refusal> outcome = validate(request);
    remembered.put(key, outcome);
    return outcome;
  }

  /** The headers a remembered outcome is keyed on; for tests. */
  List<String> readHeaders() {
    return readHeaders;
  }

  /** How many outcomes are remembered now; for tests. */
  int rememberedOutcomes() {
    return remembered.size();
  }

  // Everything a body-less request's outcome can depend on, each part length-prefixed so that no
  // two different requests share a key.
  private String outcomeKey(InboundRequest request) {
    StringBuilder key = new StringBuilder(128);
    part(key, request.method());
    part(key, request.rawPath());
    key.append(request.rawQuery().isPresent() ? 'q' : '-');
    part(key, request.rawQuery().orElse(""));
    for (String name : readHeaders) {
      List<String> values = request.header(name);
      key.append(values.size()).append('#');
      for (String value : values) {
        // The security check reads only whether Authorization starts with "Bearer" or "Basic";
        // keying on the whole token would remember one outcome per token for nothing.
        part(
            key,
            name.equals(AUTHORIZATION) ? value.substring(0, Math.min(6, value.length())) : value);
      }
    }
    return key.toString();
  }

  private static void part(StringBuilder key, String value) {
    key.append(value.length()).append(':').append(value);
  }

  /**
   * The request headers swagger-request-validator reads, in lower case: it looks headers up by name
   * and never iterates over them (checked against its 2.46 request validators), reading
   * Content-Type and Accept (media types), Cookie (cookie parameters and API keys), Authorization
   * (HTTP security schemes), every declared header parameter and every API key sent in a header.
   */
  static Set<String> headersTheValidatorReads(OpenAPI api) {
    Set<String> names = new TreeSet<>(List.of("accept", AUTHORIZATION, "content-type", "cookie"));
    List<Parameter> parameters = new ArrayList<>();
    if (api.getComponents() != null && api.getComponents().getParameters() != null) {
      parameters.addAll(api.getComponents().getParameters().values());
    }
    if (api.getComponents() != null && api.getComponents().getSecuritySchemes() != null) {
      for (SecurityScheme scheme : api.getComponents().getSecuritySchemes().values()) {
        if (scheme.getIn() == SecurityScheme.In.HEADER && scheme.getName() != null) {
          names.add(scheme.getName().toLowerCase(Locale.ROOT));
        }
      }
    }
    for (PathItem item : api.getPaths().values()) {
      if (item.getParameters() != null) {
        parameters.addAll(item.getParameters());
      }
      for (Operation operation : item.readOperations()) {
        if (operation.getParameters() != null) {
          parameters.addAll(operation.getParameters());
        }
      }
    }
    for (Parameter parameter : parameters) {
      if ("header".equalsIgnoreCase(parameter.getIn()) && parameter.getName() != null) {
        names.add(parameter.getName().toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  private Optional<Refusal> validate(InboundRequest request) {
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
