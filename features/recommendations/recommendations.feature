Feature: Recommendations
  Viewers get titles picked for them from what they and viewers like them finish, each pick with
  the titles of theirs that explain it. Similar titles work for any title. What a viewer finishes
  or rates changes their picks at once, without waiting for the next training; until a model is
  trained, or for a title it does not know yet, popular titles stand in and the answer says so.

  Background:
    Given a catalog of science-fiction films and romances
    And a dozen viewers who finish science-fiction films and a dozen who finish romances

  Scenario: A new viewer's picks follow what she finishes, at once
    Given the recommendation model has been trained
    When Lea, who is new, finishes three science-fiction films
    Then her recommendations are mostly science fiction, from the trained model
    And each of them names up to two of her films as the reason
    And none of the films she finished is among them

  Scenario: Viewers who watched a film also watched these
    Given the recommendation model has been trained
    When someone asks for titles similar to a science-fiction film
    Then most of the similar titles are science fiction

  Scenario: A film she rates low is never recommended to her
    Given the recommendation model has been trained
    And Lea, who is new, finishes three science-fiction films
    When she rates her first recommended film 1 star
    Then that film is no longer among her recommendations

  Scenario: Before any training, popular titles stand in and say so
    When Lea, who is new, finishes three science-fiction films
    Then her recommendations are the most finished titles, marked as popular

  Scenario: A title the model does not know yet gets popular titles of its genres
    Given the recommendation model has been trained
    And a science-fiction film arrives in the catalog after the training
    When someone asks for titles similar to the new film
    Then the similar titles are popular science fiction, marked as popular
