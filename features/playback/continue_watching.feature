Feature: Continue Watching
  Viewers pick up where they left off on any of their devices. Devices that disagree settle
  on one answer, late or repeated updates never undo newer ones, and a finished episode leads
  on to the next one.

  Background:
    Given the catalog has the film "Dune" and the series "Stranger Signals" with 3 episodes
    And Ana is signed in on her TV and on her phone

  Scenario: Picking up on another device
    Given Ana paused "Dune" at 40 minutes on her TV
    When she opens Continue Watching on her phone
    Then she sees "Dune" at 40 minutes, last watched on her TV, with a link to watch it
    And her phone would resume "Dune" at 40 minutes

  Scenario: The latest watched comes first, and a series appears once
    Given Ana paused episode 1 of "Stranger Signals" at 10 minutes on her TV
    And Ana paused "Dune" at 10 minutes on her TV
    When she watches episode 2 of "Stranger Signals" to 15 minutes on her TV
    Then Continue Watching shows episode 2 of "Stranger Signals" and then "Dune"

  Scenario: Watching 95% of a title finishes it
    Given Ana paused "Dune" at 40 minutes on her TV
    When she watches "Dune" to 95% on her TV
    Then "Dune" counts as finished
    And Continue Watching is empty

  Scenario: Finishing an episode puts the next one in the list
    Given Ana paused episode 1 of "Stranger Signals" at 20 minutes on her TV
    When she watches episode 1 of "Stranger Signals" to the end on her TV
    Then Continue Watching shows only episode 2 of "Stranger Signals", from the start, as the next episode

  Scenario Outline: Finishing the last episode or a film adds nothing in its place
    Given Ana paused <title> at 20 minutes on her TV
    When she watches <title> to the end on her TV
    Then Continue Watching is empty

    Examples:
      | title                           |
      | episode 3 of "Stranger Signals" |
      | "Dune"                          |

  Scenario: Dismissing hides a title until she watches it again
    Given Ana paused "Dune" at 40 minutes on her TV
    When she removes "Dune" from Continue Watching on her phone
    Then Continue Watching is empty
    When she watches "Dune" to 45 minutes on her TV
    Then "Dune" is back in Continue Watching at 45 minutes

  Scenario: A few seconds of watching is not a resume point
    When she watches "Dune" for 20 seconds on her TV
    Then Continue Watching is empty

  Scenario: Two devices racing settle on the last update the service receives
    Given Ana is watching "Dune" on her TV at 40 minutes and on her phone at 49 minutes
    When her phone reports 50 minutes and her TV reports 41 minutes just after
    Then her TV and her phone both show "Dune" at 41 minutes, last watched on her TV

  Scenario: A late update from the same playback is refused with the winning position
    Given Ana's TV sent "Dune" at 38 minutes and then at 40 minutes, but only the 40 minutes arrived
    When the update at 38 minutes arrives late
    Then it is refused and the answer shows "Dune" at 40 minutes
    And her phone would resume "Dune" at 40 minutes

  Scenario: An update delivered twice changes nothing
    Given Ana paused "Dune" at 40 minutes on her TV
    When the same update from her TV is delivered again
    Then the answer is the position already recorded, unchanged
    And her viewing history records that pause only once

  Scenario: Starting over in a new playback may move the position backwards
    Given Ana paused "Dune" at 40 minutes on her TV
    When she starts "Dune" over on her TV and watches to 2 minutes
    Then her phone would resume "Dune" at 2 minutes

  Scenario: Titles untouched for 30 days leave the list but stay in her history
    Given Ana paused "Dune" at 40 minutes on her TV
    When 31 days pass and the nightly cleanup runs
    And she signs in again on her phone
    Then Continue Watching is empty
    And her viewing history still shows "Dune" at 40 minutes

  Scenario: Progress for a title that does not exist is refused
    When her TV reports progress for a title that is not in the catalog
    Then it is refused as not found
    And Continue Watching is empty
