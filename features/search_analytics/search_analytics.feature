Feature: Search analytics
  Editors see what people search for, what they do not find and what they open, without learning
  who searched: viewers are told apart by a hash that changes every day, a query appears in a list
  only once five different viewers searched it, and personal data typed into the search box is
  masked before anything is stored. The figures come from the rollups the worker keeps.

  Background:
    Given a catalog with "Dune", "Dune: Part Two", "The Matrix", "The Silent Harbor" and the series "Stranger Signals"

  Scenario: A popular query with its click-through and where people clicked
    Given six viewers search for "the matrix" and four of them open the first result
    When the worker rolls up the searches
    Then the report lists "the matrix" as popular with 6 searches by 6 viewers
    And its click-through rate is 0.67 and the average click position 1.0

  Scenario: A query nobody finds shows the nearest titles
    Given five viewers search for "matrix reloaded", which finds nothing
    When the worker rolls up the searches
    Then the report lists "matrix reloaded" among the queries without results
    And the nearest title it suggests is "The Matrix"

  Scenario: A query fewer than five viewers searched stays private
    Given four viewers search for "silent harbor"
    And one viewer searches for "stranger signals" ten times
    When the worker rolls up the searches
    Then neither query is in any of the report's lists
    But the report's totals count all 14 searches by 5 viewers

  Scenario: Personal data typed into the search box is masked
    Given five viewers search for "ana.lopez@example.com"
    When the worker rolls up the searches
    Then the report lists "[email]" among the queries without results
    And the address appears nowhere in the report
