Feature: Searching the catalog
  Viewers find something to watch by typing what they remember, even misspelt,
  and see where each title is streaming.

  Background:
    Given a catalog with "Dune", "Dune: Part Two", "The Matrix", "The Silent Harbor" and the series "Stranger Signals"

  Scenario: Finding a film by its title
    When a viewer searches for "dune"
    Then the first result is "Dune"
    And "Dune: Part Two" is also found

  Scenario: A typo still finds the film
    When a viewer searches for "matrx"
    Then the first result is "The Matrix"

  Scenario: Narrowing the search to one platform
    When a viewer searches for "dune" on "netflix"
    Then the only result is "Dune"

  Scenario: Seeing where to watch a title
    When a viewer opens "Dune"
    Then it lists a link for each platform it streams on

  Scenario: Episodes belong to their series
    When a viewer searches for "stranger signals"
    Then the first result is the series "Stranger Signals"
    And its episodes follow with their season and episode numbers

  Scenario: An empty search is refused politely
    When a viewer searches for "   "
    Then they are told the search needs some words
