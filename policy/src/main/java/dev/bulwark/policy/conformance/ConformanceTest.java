package dev.bulwark.policy.conformance;

import java.nio.file.Path;
import java.util.List;

/**
 * One conformance test file: where its inputs are and the requests with their expected answers.
 *
 * @param file the test JSON
 * @param policies the Cedar policy file
 * @param entities the entities JSON
 * @param schema the schema
 * @param shouldValidate whether the policies pass strict validation against the schema
 * @param requests the requests and expected answers
 */
public record ConformanceTest(
    Path file,
    Path policies,
    Path entities,
    Path schema,
    boolean shouldValidate,
    List<ExpectedRequest> requests) {

  public ConformanceTest {
    requests = List.copyOf(requests);
  }
}
