Feature: Platforms announce changes to the catalog
  Streaming platforms tell Media Gateway when titles arrive, move or leave, and viewers see it
  in search and on the title's page without anyone importing anything.

  Background:
    Given Netflix is registered to announce its titles in its own feed
    And YouTube is registered to announce its videos in its own feed

  Scenario: A new title appears in search
    When Netflix announces "Dune" (2021), streaming in the US, Canada and the UK
    Then a viewer searching for "dune" finds "Dune" on Netflix
    And its page links to Netflix in the US, Canada and the UK

  Scenario: A title's availability changes
    Given Netflix has announced "Dune" in the US and Canada
    When Netflix announces that "Dune" is now streaming in Canada and the UK
    Then the page of "Dune" links to Netflix in Canada and the UK only

  Scenario: A title leaves a region
    Given Netflix has announced "Dune" in the US, Canada and the UK
    When Netflix announces that "Dune" leaves the US catalog
    Then a viewer searching for "dune" on Netflix still finds it
    But its page no longer offers Netflix in the US

  Scenario: A title leaves the platform
    Given YouTube has announced the video "The Silent Harbor"
    When YouTube announces that the video is now private
    Then "The Silent Harbor" is no longer offered on YouTube

  Scenario: A re-sent announcement changes nothing
    Given Netflix has announced "Dune" in the US
    When Netflix sends the same announcement again under a new event id
    Then it is acknowledged as a duplicate
    And the catalog holds one "Dune", unchanged

  Scenario: An episode of an unknown series is set aside for an operator
    When Netflix announces the first episode of "Dark" before announcing the series
    Then the episode does not appear in the catalog
    And an operator finds the announcement among the dead letters, saying the series is unknown

  Scenario: After the series is announced, replaying the episode adds it
    Given Netflix's announcement of the first episode of "Dark" was set aside because the series was unknown
    When Netflix announces the series "Dark"
    And an operator replays the set-aside announcements
    Then "Dark" lists the episode "Secrets" as season 1, episode 1
    And no announcement is left among the dead letters
