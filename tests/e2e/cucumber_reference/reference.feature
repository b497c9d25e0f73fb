Feature: Reference
  What Cucumber's own JSON formatter writes, for comparing the shape of gpc-assure's cucumber.json
  with it.

  @req:REF-001
  Scenario: A scenario that passes and attaches text
    Given a step that passes
    Then a step that attaches text

  @req:REF-002
  Scenario Outline: A scenario that fails <where>
    Given a step that passes
    When a step that fails <where>
    Then a step that passes

    Examples:
      | where |
      | first |
