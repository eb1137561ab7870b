Feature: Continue Watching
  Viewers pick up where they left off on any device. Devices that disagree settle on one
  answer, late or repeated updates never move anyone backwards, and finished shows lead on to
  the next episode.

  Background:
    Given the catalog has the film "Dune" and the series "Stranger Signals" with 3 episodes
    And Ana is signed in on her TV and her phone

  Scenario: Resuming on another device
    Given Ana paused "Dune" at 40 minutes on her TV
    When she opens Continue Watching on her phone
    Then "Dune" is there at 40 minutes, last watched on her TV
    And her phone would start "Dune" at 40 minutes

  Scenario: Finishing a film removes it
    Given Ana paused "Dune" at 40 minutes on her TV
    When she watches "Dune" to 95% on her TV
    Then Continue Watching is empty

  Scenario: Finishing an episode queues the next one
    When she watches episode 1 of "Stranger Signals" to the end on her TV
    Then Continue Watching shows episode 2 of "Stranger Signals" from the start, as the next episode

  Scenario: Finishing the last episode adds nothing
    When she watches episode 3 of "Stranger Signals" to the end on her TV
    Then Continue Watching is empty

  Scenario: A few seconds of watching is not a resume point
    When she watches "Dune" for 20 seconds on her TV
    Then Continue Watching is empty

  Scenario: Dismissing hides a title until she watches it again
    Given Ana paused "Dune" at 40 minutes on her TV
    When she removes "Dune" from Continue Watching
    Then Continue Watching is empty
    When she watches "Dune" to 45 minutes on her TV
    Then "Dune" is there at 45 minutes, last watched on her TV

  Scenario: Two devices racing settle on the last update the service received
    Given Ana paused "Dune" at 40 minutes on her TV
    When her phone reports "Dune" at 50 minutes
    And her TV then reports "Dune" at 41 minutes
    Then both devices would start "Dune" at 41 minutes

  Scenario: A late update from the same playback is refused with the winning position
    Given Ana's TV has reported "Dune" at 40 minutes as update 5 of its playback
    When update 4 of that playback arrives late at 38 minutes
    Then it is refused and the answer shows "Dune" at 40 minutes
    And her phone would start "Dune" at 40 minutes

  Scenario: A repeated update changes nothing
    Given Ana's TV has reported "Dune" at 40 minutes as update 5 of its playback
    When update 5 of that playback arrives again
    Then it is accepted without changing anything
    And her viewing history has one entry

  Scenario: Starting over in a new playback may move backwards
    Given Ana's TV has reported "Dune" at 40 minutes as update 5 of its playback
    When she starts "Dune" again on her TV and reports 2 minutes
    Then her phone would start "Dune" at 2 minutes

  Scenario: Titles untouched for 30 days leave the list but stay in her history
    Given Ana paused "Dune" at 40 minutes on her TV
    When 31 days pass and the nightly cleanup runs
    Then Continue Watching is empty
    And her viewing history still has "Dune"

  Scenario: Progress for a title that does not exist is refused
    When her TV reports progress for a title that does not exist
    Then it is refused as not found
