Feature: Signing in on the TV
  A TV has no keyboard worth typing a password on. It shows a short code; the viewer types it on
  her phone, where she is already signed in, and the TV gets a session of its own, which she can
  see and end from her phone.

  Background:
    Given Ana is signed in on her phone

  Scenario: Ana signs in on her TV with a code from her phone
    Given her TV "Living room TV" shows a code to sign in
    When Ana types the code on her phone, in lower case and without the dash
    Then her phone says "Living room TV" is signed in
    And the TV, asking a moment later, is signed in as Ana
    And asking again with the same code gets it nothing more
    And Ana's security log shows that she signed in "Living room TV"

  Scenario: Ana signs her TV out from her phone
    Given Ana has signed in on her TV "Living room TV" with a code
    When Ana looks at where she is signed in
    Then she sees "Living room TV" and her phone, marked as the one she is using
    When Ana signs "Living room TV" out from her phone
    Then the TV can no longer watch as Ana, nor renew its session
    And her phone is still signed in
    And Ana's security log shows that she signed "Living room TV" out

  Scenario: A TV that asks too often is told to slow down
    Given her TV "Bedroom TV" shows a code to sign in
    When the TV asks whether it is signed in twice within one second
    Then it is told to slow down and wait 10 seconds between asks
    When the TV asks again after 10 seconds
    Then it is told the code is still waiting for approval

  Scenario: Ana refuses a code she did not ask for
    Given her TV "Unknown TV" shows a code to sign in
    When Ana refuses the code on her phone
    Then the TV, asking a moment later, is told the sign-in was refused

  Scenario: Guessing codes from one address is stopped
    Given her TV "Living room TV" shows a code to sign in
    When someone types 10 wrong codes from one address
    Then even the TV's real code is refused from that address for now
    But Ana's phone, at home, can still approve it
